// The password engines as the policy layer (createPasswordHasher, issue 9) calls them: thin
// typed calls into the binding, nothing decided here. Internal: not exported from the package
// entry. Every function that hashes runs on the process-wide native pool (native/core/
// hash_pool.hpp) and rejects at once with ERR_HASH_OVERLOADED when its queue or memory budget is
// full.
import type {
  Argon2HashInfo,
  Argon2HashOptions,
  Argon2SimdLevel,
  BcryptHashInfo,
  HashPoolConfig,
  HashPoolStats,
  PhcCeilings,
} from '../../types/binding';
import { native } from '../native';

export type {
  Argon2HashInfo,
  Argon2HashOptions,
  Argon2SimdLevel,
  Argon2Variant,
  BcryptHashInfo,
  HashPoolConfig,
  HashPoolStats,
  PhcCeilings,
} from '../../types/binding';

/** Argon2 to a PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$tag`). */
export function argon2Hash(password: Uint8Array, options: Argon2HashOptions): Promise<string> {
  return native().argon2Hash(password, options);
}

/** False for a wrong password, and at once (nothing hashed) for a malformed or over-ceiling string. */
export function argon2Verify(
  hash: string,
  password: Uint8Array,
  secret: Uint8Array | null,
  ceilings?: PhcCeilings,
): Promise<boolean> {
  return native().argon2Verify(hash, password, secret, ceilings);
}

export function argon2Parse(hash: string, ceilings?: PhcCeilings): Argon2HashInfo | null {
  return native().argon2Parse(hash, ceilings);
}

/** bcrypt `$2b$`; a password over 72 bytes or with a NUL byte is a RangeError, never truncated. */
export function bcryptHash(password: Uint8Array, cost: number): Promise<string> {
  return native().bcryptHash(password, cost);
}

export function bcryptVerify(hash: string, password: Uint8Array): Promise<boolean> {
  return native().bcryptVerify(hash, password);
}

export function bcryptParse(hash: string): BcryptHashInfo | null {
  return native().bcryptParse(hash);
}

/** Process-wide: one pool for the main thread and every worker_thread. */
export function configureHashPool(config: Partial<HashPoolConfig>): HashPoolConfig {
  return native().hashPoolConfigure(config);
}

export function hashPoolStats(): HashPoolStats {
  return native().hashPoolStats();
}

/** Test and benchmark hook: force a SIMD build of the Argon2 engine, or report the current one. */
export function argon2Simd(level?: Argon2SimdLevel): {
  level: Argon2SimdLevel;
  available: Argon2SimdLevel[];
} {
  return native().argon2Simd(level);
}

/**
 * One hasher's wishes for the process-wide pool, folded into every other hasher's (the most
 * threads asked, the smallest memory budget; the queue and the arena only grow).
 */
export function requestHashPool(request: Partial<HashPoolConfig>): HashPoolConfig {
  return native().hashPoolRequest(request);
}

/** 0 when the pool would take a hash of `memoryKiB` now, 1 when its queue is full, 2 over budget. */
export function hashPoolAdmits(memoryKiB: number): 0 | 1 | 2 {
  return native().hashPoolAdmits(memoryKiB);
}
