// The typed contract of the native binding (native/addon). Only lib/native.ts loads it.

export interface CpuFeatures {
  sse2: boolean;
  ssse3: boolean;
  sse41: boolean;
  avx: boolean;
  avx2: boolean;
  avx512f: boolean;
  aesni: boolean;
  pclmul: boolean;
  rdrand: boolean;
}

declare const localKeyBrand: unique symbol;
export type LocalKeyHandle = { readonly [localKeyBrand]: true };

export interface Binding {
  versions(): { sodium: string; napi: number };
  cpuFeatures(): CpuFeatures;
  randomBytes(size: number): Uint8Array;
  /** An opaque, type-tagged handle to a PASETO v4.local key held (and wiped) in C++. */
  localKey(raw: Uint8Array): LocalKeyHandle;
  /** BLAKE2b-256 of the secret keyed with "start-guard/sealer-key/v1". */
  deriveKey(secret: Uint8Array): Uint8Array;
  paserkLid(raw: Uint8Array): string;
  paserkLocalDecode(paserk: string): Uint8Array | null;
  paserkLocalEncode(raw: Uint8Array): string;
  /** v4.local encrypt with a random nonce; footer and implicit assertion as UTF-8 strings. */
  seal(key: LocalKeyHandle, payload: string, footer: string, implicit: string): string;
  /** v4.local decrypt (footer authenticated as part of the token); null for any invalid token. */
  unseal(key: LocalKeyHandle, token: string, implicit: string): string | null;
  setErrorClass(errorClass: new (code: string, message: string) => Error): void;
  /**
   * flock(fd, LOCK_EX | LOCK_NB): true when this open file description now holds the lock, false
   * when another one (another process) does; other failures throw ERR_STORE_UNAVAILABLE.
   */
  flockExclusive(fd: number): boolean;
  /**
   * Opens the table named `name` (shared by every thread of the process; other settings under
   * that name throw ERR_INVALID_OPTION), or a private one when `name` is null.
   */
  rateTable(name: string | null, capacity: number, refillPerSecond: number, maxKeys: number): RateTableHandle;
  /** This thread's output array (the same one on every call): [remaining, retryAfterMs, tableFull]. */
  rateOutput(): Float64Array;
  /** Takes `cost` tokens from the key's bucket; the numbers land in the output array. */
  rateTake(table: RateTableHandle, key: string, cost: number): boolean;
  /** What rateTake would answer, changing nothing. */
  ratePeek(table: RateTableHandle, key: string, cost: number): boolean;
  /** Gives `cost` tokens back, never beyond a full bucket. */
  rateRefund(table: RateTableHandle, key: string, cost: number): void;
  /** Forgets the key's bucket. */
  rateReset(table: RateTableHandle, key: string): void;
  /** Buckets the table holds. */
  rateSize(table: RateTableHandle): number;

  // ---- password engines (native/core: argon2_engine, phc, bcrypt, hash_pool) ----
  /**
   * Argon2 (the reference library's opt.c, threads = 1) on the process-wide hash pool, to a PHC
   * string in m,t,p order (`,keyid=` and `,data=` when given). Inputs are copied on this thread
   * and wiped after. Wrong options throw TypeError/RangeError; a full queue or memory budget
   * gives a promise rejected at once with ERR_HASH_OVERLOADED (503).
   */
  argon2Hash(password: Uint8Array, options: Argon2HashOptions): Promise<string>;
  /**
   * Hashes the password under the string's parameters and compares the tag in constant time.
   * Resolves false at once (nothing hashed) for a malformed string or one over the ceilings.
   * `secret` is the pepper for the string's keyid (null for none).
   */
  argon2Verify(
    hash: string,
    password: Uint8Array,
    secret: Uint8Array | null,
    ceilings?: PhcCeilings,
  ): Promise<boolean>;
  /** Strict PHC parse (for needsRehash); null for malformed or over-ceiling strings. */
  argon2Parse(hash: string, ceilings?: PhcCeilings): Argon2HashInfo | null;
  /**
   * bcrypt $2b$ through libxcrypt on the hash pool. A password over 72 bytes or with a NUL byte
   * is a RangeError (never truncated); cost 4 to 31. Without libcrypt on the system:
   * ERR_NATIVE_LOAD saying what to install.
   */
  bcryptHash(password: Uint8Array, cost: number): Promise<string>;
  /**
   * $2a$, $2b$ or $2y$, compared in constant time. Resolves false at once for a malformed hash
   * or a password over 72 bytes or with a NUL (legacy truncation is the caller's choice: pass
   * the first 72 bytes).
   */
  bcryptVerify(hash: string, password: Uint8Array): Promise<boolean>;
  bcryptParse(hash: string): BcryptHashInfo | null;
  /** Process-wide (every worker_thread shares the pool); returns the whole configuration. */
  hashPoolConfigure(config: Partial<HashPoolConfig>): HashPoolConfig;
  hashPoolStats(): HashPoolStats;
  /**
   * One password hasher's wishes for the process-wide pool, folded into every earlier request in
   * the process (any worker_thread): the most threads asked, the smallest memory budget; the
   * queue and the arena only grow (to the longest and largest asked). Absent fields ask nothing.
   */
  hashPoolRequest(request: Partial<HashPoolConfig>): HashPoolConfig;
  /**
   * What the pool would answer now for a hash of `memoryKiB`: 0 admitted, 1 queue full, 2 over
   * the memory budget (an early, cheap refusal; the hash call itself still decides).
   */
  hashPoolAdmits(memoryKiB: number): 0 | 1 | 2;
  /**
   * Test and benchmark hook: with a level, forces that SIMD build of opt.c for the whole process
   * (RangeError when the CPU lacks it); without, reports. The level is chosen at load otherwise.
   */
  argon2Simd(level?: Argon2SimdLevel): { level: Argon2SimdLevel; available: Argon2SimdLevel[] };
  /**
   * A single-use token's secret (32 bytes from the OS CSPRNG, wiped in C++) and its verifier,
   * BLAKE2b-256 keyed with the secret over the binding; both unpadded base64url.
   */
  tokenIssue(binding: string): [secret: string, verifier: string];
  /**
   * Recomputes the verifier of a presented secret (base64url) and compares it with the stored
   * one in constant time (libsodium); false for anything that does not decode to 32 bytes.
   */
  tokenVerifierMatches(secret: string, binding: string, expected: string): boolean;
}

export type Argon2Variant = 'argon2id' | 'argon2i' | 'argon2d';
export type Argon2SimdLevel = 'sse2' | 'avx2' | 'avx512f';

export interface Argon2HashOptions {
  variant: Argon2Variant;
  /** 19 (0x13, the default) or 16 (0x10). */
  version?: 16 | 19;
  /** m in KiB, at least 8 * parallelism. */
  memoryKiB: number;
  /** t, at least 1. */
  passes: number;
  /** p lanes (computed on one pool thread: the same tag as p threads). */
  parallelism: number;
  /** 4 to 128 bytes; default 32. */
  tagLength?: number;
  /** 8 to 64 bytes; default: saltLength random bytes. */
  salt?: Uint8Array;
  /** 8 to 64; default 16. */
  saltLength?: number;
  /** The pepper (Argon2 secret), 1 to 128 bytes. */
  secret?: Uint8Array;
  /** Written as `keyid=` in the PHC string: 1 to 64 characters of [A-Za-z0-9+/.-]. */
  keyid?: string;
  /** Associated data, 1 to 64 bytes, written as `data=` (base64) in the PHC string. */
  associatedData?: Uint8Array;
}

/** Ceilings for stored strings (attacker-facing): defaults 262144 KiB, 32 passes, 16 lanes. */
export interface PhcCeilings {
  maxMemoryKiB?: number;
  maxPasses?: number;
  maxParallelism?: number;
}

export interface Argon2HashInfo {
  variant: Argon2Variant;
  /** 16 or 19; a string without v= is 16. */
  version: 16 | 19;
  memoryKiB: number;
  passes: number;
  parallelism: number;
  keyid: string | null;
  saltLength: number;
  tagLength: number;
  associatedDataLength: number;
}

export interface BcryptHashInfo {
  prefix: '$2a$' | '$2b$' | '$2y$';
  cost: number;
}

export interface HashPoolConfig {
  /** Pool threads (1 to 256); default: the CPU count. */
  threads: number;
  /** Jobs waiting beyond the idle threads (0 to 2^20); default 256. */
  maxQueue: number;
  /** Admission budget: arenas kept + hashes running outside one + every waiting job's m. */
  memoryBudgetKiB: number;
  /** Each thread keeps one arena up to this size; larger hashes map memory for the call. */
  arenaKiB: number;
}

export interface HashPoolStats extends HashPoolConfig {
  threadsAlive: number;
  running: number;
  queued: number;
  memoryInUseKiB: number;
  arenaKiBHeld: number;
}

declare const rateTableBrand: unique symbol;
/** A process-wide rate-limit table (native/core/rate_table.hpp), shared by name across threads. */
export type RateTableHandle = { readonly [rateTableBrand]: true };
