// The app's accounts and e-mail flows, on the server: a user table in memory (password hashes made
// by start-guard's default hasher, e-mail addresses), the sign-in limits, password reset and e-mail
// verification over single-use tokens, and an outbox the tests read the links from. Built on the
// first call, so nothing here runs in the browser.
import {
  createEmailVerification,
  createMemoryTokenStore,
  createPasswordReset,
  createSingleUseTokens,
  hashPassword,
  loginLimits,
  registrationLimits,
  resetLimits,
} from 'start-guard';
import { revocation } from '../auth';

export interface Account {
  id: string;
  email: string;
  passwordHash: string | null;
}

export interface Mail {
  to: string;
  userId: string;
  url: string;
  kind: 'reset' | 'verify';
}

async function build() {
  const table = new Map<string, Account>([
    [
      'alice',
      { id: 'alice', email: 'alice@example.com', passwordHash: await hashPassword('alice-password-1') },
    ],
    ['bob', { id: 'bob', email: 'bob@example.com', passwordHash: await hashPassword('bob-password-1') }],
    // Her lookup is followed at once by a password reset elsewhere (the watermark raised), as
    // when a reset completes while a sign-in with the old password is verifying.
    ['dave', { id: 'dave', email: 'dave@example.com', passwordHash: await hashPassword('dave-password-1') }],
    // Imported from an older system: bcrypt, upgraded to Argon2id at its first sign-in.
    [
      'carol',
      {
        id: 'carol',
        email: 'carol@example.com',
        passwordHash: '$2b$10$zFhY.arAluVLTLbd8.8MF.n43RUSImSzOEHlOBKyg.Ozdc3Dv9Kz6',
      },
    ],
  ]);
  const byEmail = (email: string) => [...table.values()].find((a) => a.email === email) ?? null;
  const outbox: Mail[] = [];
  const tokens = createSingleUseTokens({ store: createMemoryTokenStore() });
  const base = process.env.APP_URL ?? 'http://localhost:3000';
  // Small buckets, so the tests reach the limits in a few requests.
  const bucket = (capacity: number) => ({ capacity, refillPerSecond: 1 / 60 });
  return {
    table,
    outbox,
    findUser: async (identifier: string) => {
      const account = byEmail(identifier);
      if (account?.id === 'dave') {
        const pause = () => new Promise((r) => setTimeout(r, 2));
        await pause();
        await revocation!.revokeUserBefore('dave', Date.now(), Math.floor(Date.now() / 1000) + 86400);
        await pause();
      }
      return account;
    },
    saveHash: async (account: Account, passwordHash: string) => {
      table.get(account.id)!.passwordHash = passwordHash;
    },
    // Per (account, client): 5 tries; per account: 200, so the timing test's rounds fit.
    loginLimits: loginLimits({
      name: 'test-app:login',
      perClient: { capacity: 5, refillPerSecond: 1 / 60 },
      perAccount: { capacity: 200, refillPerSecond: 1 / 60 },
    }),
    // The same with a client bucket of 3 tries, so the device-cookie test empties it quickly.
    smallClientLoginLimits: loginLimits({
      name: 'test-app:login-small-client',
      perClientTotal: { capacity: 3, refillPerSecond: 1 / 600 },
      perClient: { capacity: 5, refillPerSecond: 1 / 60 },
      perAccount: { capacity: 200, refillPerSecond: 1 / 60 },
    }),
    resets: createPasswordReset({
      tokens,
      url: `${base}/reset-password`,
      findUser: async (identifier) => byEmail(identifier),
      send: async (m) => void outbox.push({ to: m.to, userId: m.userId, url: m.url, kind: 'reset' }),
      savePassword: async (userId, passwordHash) => {
        table.get(userId)!.passwordHash = passwordHash;
      },
      revocation: revocation!,
      limits: resetLimits({ name: 'test-app:reset', perClient: bucket(3), perAddress: bucket(3) }),
    }),
    verification: createEmailVerification({
      tokens,
      url: `${base}/verify-email`,
      send: async (m) => void outbox.push({ to: m.to, userId: m.userId, url: m.url, kind: 'verify' }),
      limits: registrationLimits({ name: 'test-app:verify', perClient: bucket(5), perAddress: bucket(5) }),
    }),
  };
}

let built: ReturnType<typeof build> | undefined;
export function accounts() {
  return (built ??= build());
}
