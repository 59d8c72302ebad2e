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
