// The default hasher behind hashPassword, verifyPassword, needsRehash and verifyAndRehash: the
// policy's defaults (OWASP Argon2id, NFKC, 8 to 1024), made on first use so that importing
// start-guard costs nothing.
import { type PasswordHasher, type VerifyAndRehashResult, createPasswordHasher } from './hasher';

let fallback: PasswordHasher | undefined;

/** The hasher used when none is given (the flows, passwordSignIn). */
export function defaultHasher(): PasswordHasher {
  return fallback ?? (fallback = createPasswordHasher());
}

export function hashPassword(password: string): Promise<string> {
  return defaultHasher().hash(password);
}

export function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  return defaultHasher().verify(stored, password);
}

export function needsRehash(stored: string | null | undefined): boolean {
  return defaultHasher().needsRehash(stored);
}

export function verifyAndRehash(
  stored: string | null | undefined,
  password: string,
): Promise<VerifyAndRehashResult> {
  return defaultHasher().verifyAndRehash(stored, password);
}
