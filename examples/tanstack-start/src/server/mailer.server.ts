// A development mailer: each mail goes to the server's log (stderr) and is appended to
// <data>/mail.mbox, which any mail client opens (and the end-to-end tests read the links from).
// A deployment replaces send() with its mail provider's API; nothing else changes.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { settings } from './config.server';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

const FROM = 'start-guard example <no-reply@localhost>';

export async function sendMail(mail: Mail): Promise<void> {
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
