// The default hasher behind hashPassword, verifyPassword, needsRehash and verifyAndRehash: the
// policy's defaults (OWASP Argon2id, NFKC, 8 to 1024), made on first use so that importing
// start-guard costs nothing.
import { type PasswordHasher, type VerifyAndRehashResult, createPasswordHasher } from './hasher';

let fallback: PasswordHasher | undefined;

/** The hasher used when none is given (the flows, passwordSignIn). */
export function defaultHasher(): PasswordHasher {
  return fallback ?? (fallback = createPasswordHasher());
}

/**
 * The default hasher is made on first call, and making it can throw (ERR_INVALID_OPTION when
 * another hasher set a memory budget that cannot hold the defaults' m): the async functions turn
 * that into a rejected promise, never a synchronous throw.
 */
function withDefault<T>(call: (hasher: PasswordHasher) => Promise<T>): Promise<T> {
  try {
    return call(defaultHasher());
  } catch (err) {
    return Promise.reject(err);
  }
}

export function hashPassword(password: string): Promise<string> {
  return withDefault((h) => h.hash(password));
}

export function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  return withDefault((h) => h.verify(stored, password));
}

export function needsRehash(stored: string | null | undefined): boolean {
  return defaultHasher().needsRehash(stored);
}

export function verifyAndRehash(
  stored: string | null | undefined,
  password: string,
): Promise<VerifyAndRehashResult> {
  return withDefault((h) => h.verifyAndRehash(stored, password));
}
