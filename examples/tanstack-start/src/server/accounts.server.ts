// Accounts on the server: the sign-in limits, registration, password reset and e-mail
// verification (start-guard's flows over single-use tokens in a file store), the demo accounts,
// and the security log. Everything is built on first use, so nothing runs at import.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createEmailVerification,
  createFileTokenStore,
  createPasswordReset,
  createSingleUseTokens,
  loginLimits,
  normalizeIdentifier,
  registrationLimits,
  type RequestClient,
} from 'start-guard';
import { settings } from './config.server';
import { logEvent } from '../log';
import { users } from './db.server';
import { hasher } from './hasher.server';
import { sendMail } from './mailer.server';

export { hasher };

function build() {
  const { appUrl, dataDir } = settings();
  const revocation = revocationStore();
  const tokens = createSingleUseTokens({ store: createFileTokenStore({ path: join(dataDir, 'tokens') }) });
  return {
    // Per (account, client): 5 failed tries, then one a minute; per account: 50, then one every
    // 5 minutes (start-guard's defaults). Only failures count.
    signInLimits: loginLimits({ onEvent: logEvent }),
    // Checked before anything else, the same for taken and new addresses.
    registerLimits: registrationLimits({ name: 'example:register', onEvent: logEvent }),
    resets: createPasswordReset({
      tokens,
      url: `${appUrl}/reset-password`,
      findUser: async (identifier) => users.byEmail(identifier),
      send: ({ to, url }) =>
        sendMail({
          to,
          subject: 'Reset your password',
          text: `Someone asked to reset the password of your account.\nTo choose a new password, open this link within 30 minutes:\n\n${url}\n\nIf it was not you, ignore this mail: your password stays as it is.`,
        }),
      hasher,
      savePassword: async (userId, passwordHash) => users.setPasswordHash(userId, passwordHash),
      revocation,
      onEvent: logEvent,
    }),
    verification: createEmailVerification({
      tokens,
      url: `${appUrl}/verify-email`,
      send: ({ to, url }) =>
        sendMail({
          to,
          subject: 'Confirm your e-mail address',
          text: `Welcome! To confirm this address, open this link within 24 hours:\n\n${url}`,
        }),
      onEvent: logEvent,
    }),
  };
}

let built: ReturnType<typeof build> | undefined;
export const accounts = () => (built ??= build());

// The revocation store is the session manager's (src/auth.ts): set once there.
let revocationRef: import('start-guard').RevocationStore | undefined;
export function useRevocationStore(store: import('start-guard').RevocationStore): void {
  revocationRef = store;
}
export function revocationStore() {
  if (revocationRef === undefined) throw new Error('the session manager has not been created');
  return revocationRef;
}

/**
 * Registration answers the same whether or not the address is taken (the function returns
 * nothing either way): the limits and the password hash happen before the answer for every
 * address, the account and the mail after it. A taken address gets a mail to its owner instead
 * of a second account.
 */
export async function register(
  input: { email: string; name: string; password: string },
  client: RequestClient,
): Promise<{ allowed: boolean; retryAfterMs: number }> {
  const email = normalizeIdentifier(input.email);
  if (email === null || !/^[^@\s]+@[^@\s]+$/.test(email)) throw new TypeError('enter an e-mail address');
  const name = input.name.trim().slice(0, 80) || email.split('@')[0]!;
  const { registerLimits, verification } = accounts();
  const verdict = await registerLimits.check(email, client);
  if (!verdict.allowed) return verdict;
  const passwordHash = await hasher.hash(input.password); // a policy refusal is the user's to fix
  setImmediate(() => {
    const created = users.insert({ email, name, passwordHash });
    if (created !== null) {
      void verification.requestVerification(created, { client });
      return;
    }
    const { appUrl } = settings();
    void sendMail({
      to: email,
      subject: 'You already have an account',
      text: `Someone (maybe you) tried to register with this address, which already has an account.\nSign in at ${appUrl}/login, or choose a new password at ${appUrl}/forgot-password.\nIf it was not you, ignore this mail.`,
    }).catch(() => undefined);
  });
  return { allowed: true, retryAfterMs: 0 };
}

/** The demo accounts, made on the first start (random passwords, kept in <data>/demo-accounts.txt). */
let seeded: Promise<void> | undefined;
export function ready(): Promise<void> {
  return (seeded ??= seed());
}

async function seed(): Promise<void> {
  if (users.count() > 0) return;
  const lines = ['# Demo accounts of the start-guard example (made on the first start).'];
  for (const [email, name, roles] of [
    ['ada@example.com', 'Ada (admin)', ['admin']],
    ['ben@example.com', 'Ben', []],
  ] as const) {
    const password = randomBytes(9).toString('base64url');
    const user = users.insert({ email, name, passwordHash: await hasher.hash(password), roles: [...roles] });
    if (user !== null) users.markVerified(user.id, email);
    lines.push(`${email} ${password}${roles.length > 0 ? ` (${roles.join(', ')})` : ''}`);
  }
  writeFileSync(join(settings().dataDir, 'demo-accounts.txt'), lines.join('\n') + '\n', { mode: 0o600 });
}
