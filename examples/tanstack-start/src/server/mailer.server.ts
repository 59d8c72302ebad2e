// The mailer. With EXAMPLE_DEMO=1 (npm run demo), the development mailer: each mail goes to the
// server's log (stderr) and is appended to <data>/mail.mbox, which any mail client opens (and the
// end-to-end tests read the links from). Otherwise the app refuses to start until `provider` below
// sends real mail (a deployment puts its mail provider's API call there; nothing else changes): a
// development mailer in production would write live links where they do not belong.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { settings } from './config.server';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

const FROM = 'start-guard example <no-reply@localhost>';

/** Your mail provider's send (an HTTP API call, an SMTP client); the example has none. */
const provider: { send?: (mail: Mail & { from: string }) => Promise<void> } = {};

/** Throws, with what to do, when no mailer may run: neither the demo's nor a real one. */
export function checkMailer(): void {
  if (provider.send === undefined && !settings().demo) {
    throw new Error(
      'start-guard example: no mailer configured. Run the demo with EXAMPLE_DEMO=1 (npm run demo), ' +
        'or give src/server/mailer.server.ts a provider that sends real mail before deploying.',
    );
  }
}

export async function sendMail(mail: Mail): Promise<void> {
  checkMailer();
  if (provider.send !== undefined) return provider.send({ ...mail, from: FROM });
  const date = new Date();
  const headers = [
    `From: ${FROM}`,
    `To: ${mail.to}`,
    `Date: ${date.toUTCString()}`,
    `Subject: ${mail.subject}`,
  ];
  // mbox: each message starts with a "From " line; body lines that start with "From " are quoted.
  const body = mail.text.replace(/^From /gm, '>From ');
  const entry = `From no-reply@localhost ${date.toUTCString()}\n${headers.join('\n')}\n\n${body}\n\n`;
  appendFileSync(join(settings().dataDir, 'mail.mbox'), entry, { mode: 0o600 });
  const rule = '-'.repeat(72);
  process.stderr.write(`\n${rule}\n[mail] ${headers.slice(1).join('\n[mail] ')}\n\n${mail.text}\n${rule}\n`);
}
