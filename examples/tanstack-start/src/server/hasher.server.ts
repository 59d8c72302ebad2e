// INTERIM, until start-guard's createPasswordHasher lands on main (branch `passwords`): a hasher
// with the interface passwordSignIn and createPasswordReset take (hash; verify(stored | null, pw)
// running a dummy verification for unknown accounts; needsRehash), over @node-rs/argon2 at the
// OWASP parameters. Replace the whole file with `export const hasher = createPasswordHasher();`.
import { StartGuardError } from 'start-guard';

const PARAMS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
const MIN_LENGTH = 8;
const MAX_BYTES = 1024;

let dummy: Promise<string> | undefined;

async function argon2() {
  return import('@node-rs/argon2');
}

function checkPolicy(password: string): string {
  if (password.length === 0) throw new StartGuardError('ERR_PASSWORD_EMPTY', 'a password is required');
  const normalized = password.normalize('NFKC');
  if (Buffer.byteLength(normalized) > MAX_BYTES) {
    throw new StartGuardError('ERR_PASSWORD_TOO_LONG', `at most ${MAX_BYTES} bytes`);
  }
  return normalized;
}

export const hasher = {
  async hash(password: string): Promise<string> {
    const normalized = checkPolicy(password);
    if ([...normalized].length < MIN_LENGTH) {
      throw new StartGuardError('ERR_PASSWORD_TOO_SHORT', `at least ${MIN_LENGTH} characters`);
    }
    return (await argon2()).hash(normalized, PARAMS);
  },
  async verify(stored: string | null | undefined, password: string): Promise<boolean> {
    const a = await argon2();
    let normalized: string;
    try {
      normalized = checkPolicy(password);
    } catch {
      normalized = '';
    }
    if (stored === null || stored === undefined || normalized === '') {
      dummy ??= a.hash('start-guard-example-dummy', PARAMS);
      await a.verify(await dummy, normalized || 'x').catch(() => false);
      return false;
    }
    return a.verify(stored, normalized).catch(() => false);
  },
  needsRehash: (stored: string) => !stored.startsWith('$argon2id$v=19$m=19456,t=2,p=1$'),
};
