// Accounts on the server: the sign-in limits, registration (an e-mail verification link that
// leads to the page where the account is made), password reset (start-guard's flows over
// single-use tokens in a file store), the demo accounts, and the security log. Everything is built
// on first use, so nothing runs at import.
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createEmailVerification,
  createFileTokenStore,
  createPasswordReset,
  createRateLimiter,
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
    tokens,
    // Making an account from a sign-up link (createAccount), per client: 10 tries, then one every
    // 30 seconds. Taken before the link is looked at, so neither guessing links nor replaying one
    // costs more than 10 Argon2 hashes from one client.
    createAccountLimit: createRateLimiter({
      name: 'example:create-account',
      capacity: 10,
      refillPerSecond: 1 / 30,
      onEvent: logEvent,
    }),
    // Registration: every address asks the same flow for a link (the same limits, the same token
    // work, the same answer). Only the mail, sent after the answer, looks at whether the address
    // has an account: a new one gets the link, a taken one a notice without it.
    signups: createEmailVerification({
      tokens,
      url: `${appUrl}/create-account`,
      limits: registrationLimits({ name: 'example:register', onEvent: logEvent }),
      send: ({ to, url }) =>
        users.byEmail(to) === null
          ? sendMail({
              to,
              subject: 'Create your account',
              text: `To create your account with this address, open this link within 24 hours and choose your password:\n\n${url}\n\nIf it was not you, ignore this mail: no account is made without the link.`,
            })
          : sendMail({
              to,
              subject: 'You already have an account',
              text: `Someone (maybe you) tried to register with this address, which already has an account.\n\nSign in:\n${appUrl}/login\n\nForgot your password? Choose a new one:\n${appUrl}/forgot-password\n\nIf it was not you, ignore this mail: nothing has changed.`,
            }),
      onEvent: logEvent,
    }),
  };
}

/**
 * Whose link a sign-up link is: no user exists yet, so the token is bound to the address (hashed
 * to fit a user id). A new request for the address voids its earlier links. The hash is keyed
 * (HMAC-SHA-256 under a key derived from the server's secret): the id is in the security log's
 * events, and a plain hash of an address is reversed by hashing a list of addresses. Stable per
 * address while the secret is; a new secret voids the sign-up links in flight.
 */
export function signupId(email: string): string {
  return `signup:${createHmac('sha256', signupKey()).update(email).digest('base64url')}`;
}

let signupKeyBytes: Buffer | undefined;
function signupKey(): Buffer {
  return (signupKeyBytes ??= Buffer.from(
    hkdfSync('sha256', settings().sessionSecret, '', 'start-guard example: sign-up ids', 32),
  ));
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
 * Registration takes the address only, and answers the same whether or not it is taken (the
 * flow's answer: its limits, then the queue). No account exists until the link is followed and a
 * password chosen (createAccount), so nobody holds an account under an address they cannot read.
 */
export async function register(
  input: { email: string },
  client: RequestClient,
): Promise<{ allowed: boolean; retryAfterMs: number }> {
  const email = normalizeIdentifier(input.email);
  if (email === null || !/^[^@\s]+@[^@\s]+$/.test(email)) throw new TypeError('enter an e-mail address');
  return accounts().signups.requestVerification({ id: signupId(email), email }, { client });
}

/**
 * With EXAMPLE_DEMO=1 only: the demo accounts, made on the first start (random passwords, kept in
 * <data>/demo-accounts.txt). A deployment has no account with a password written in a file.
 */
let seeded: Promise<void> | undefined;
export function ready(): Promise<void> {
  return (seeded ??= seed());
}

async function seed(): Promise<void> {
  if (!settings().demo || users.count() > 0) return;
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
