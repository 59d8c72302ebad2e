// INTERIM, until createPasswordHasher lands on main: a hasher with the interface passwordSignIn and
// createPasswordReset take (verify(stored | null, pw) with a dummy for unknown accounts,
// needsRehash, hash), over @node-rs/argon2 (OWASP parameters) and bcryptjs.
const PARAMS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export async function createHasher() {
  const argon2 = await import('@node-rs/argon2');
  const bcrypt = (await import('bcryptjs')).default;
  const dummy = await argon2.hash('start-guard-dummy-password', PARAMS);
  return {
    hash: (password: string) => argon2.hash(password, PARAMS),
    async verify(stored: string | null | undefined, password: string): Promise<boolean> {
      if (stored === null || stored === undefined) {
        await argon2.verify(dummy, password);
        return false;
      }
      if (stored.startsWith('$2')) return bcrypt.compare(password, stored);
      return argon2.verify(stored, password);
    },
    needsRehash: (stored: string) => !stored.startsWith('$argon2id$v=19$m=19456,t=2,p=1$'),
  };
}
