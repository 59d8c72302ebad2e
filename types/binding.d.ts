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
}

declare const rateTableBrand: unique symbol;
/** A process-wide rate-limit table (native/core/rate_table.hpp), shared by name across threads. */
export type RateTableHandle = { readonly [rateTableBrand]: true };
