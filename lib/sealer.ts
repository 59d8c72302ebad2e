// Sealed tokens: PASETO v4.local through the native core. Policy lives here (keys and rotation,
// footer rules, claims, expiry, size caps); the cryptography and the constant-time checks are
// in native/core/paseto_v4_local.cpp.
import type { LocalKeyHandle } from '../types/binding';
import { StartGuardError, invalidArg, serverOnlyError } from './errors';
import { native, serverRuntime } from './native';
import { randomBase64url } from './random-pool';
import { checkWellFormedSecret } from './secret-text';

export type SecretInput = string | Uint8Array;

/** Why `unseal` returned null, for logging and metrics (never includes the token). */
export type UnsealRejectReason =
  | 'not_a_string'
  | 'too_large'
  | 'malformed'
  | 'unknown_key'
  | 'invalid'
  | 'payload'
  | 'expired'
  | 'not_yet_valid';

export interface SealerOptions {
  /** Keys, newest first: the first seals, all unseal. A Uint8Array(32) or a PASERK `k4.local.`
   * string is used as is; any other secret of >= 32 bytes is derived (BLAKE2b-256). */
  secrets: SecretInput | readonly SecretInput[];
  /** Tokens longer than this are refused before any decoding (default 4096, a cookie's size). */
  maxTokenBytes?: number;
  /** Told why each rejected token was rejected. Its errors are swallowed. */
  onReject?: (reason: UnsealRejectReason) => void;
  /** The clock, in epoch milliseconds (tests). */
  nowMs?: () => number;
}

export interface SealOptions {
  /** Lifetime in seconds (required). */
  ttl: number;
  /** Binds the token to a use: the implicit assertion (UTF-8 bytes of this string). */
  purpose?: string;
}

export interface UnsealOptions {
  purpose?: string;
  claims?: boolean;
}

export interface SealedClaims<T> {
  value: T;
  jti: string;
  /** Issued-at and expiry, epoch seconds. */
  iat: number;
  exp: number;
}

export interface Sealer {
  seal(value: unknown, options: SealOptions): string;
  unseal<T = unknown>(token: unknown, options: UnsealOptions & { claims: true }): SealedClaims<T> | null;
  unseal<T = unknown>(token: unknown, options?: UnsealOptions): T | null;
}

interface Key {
  handle: LocalKeyHandle;
  /** The token's footer segment for this key: base64url of {"kid":"k4.lid.…"}. */
  footer: string;
  footerJson: string;
}

const HEADER = 'v4.local.';
const DEFAULT_MAX_TOKEN_BYTES = 4096;
/** 9999-12-31T23:59:59Z, the last instant RFC 3339 can write. */
const MAX_EXP_SECONDS = 253402300799;

/** A v4.local token's length for a payload of `bytes` bytes: header, base64url(n || c || t), footer. */
function tokenLength(bytes: number, footerLength: number): number {
  return HEADER.length + Math.ceil(((32 + bytes + 32) * 4) / 3) + (footerLength > 0 ? 1 + footerLength : 0);
}

function tooLarge(length: number, max: number): StartGuardError {
  return new StartGuardError(
    'ERR_TOKEN_TOO_LARGE',
    `the sealed token would be at least ${length} bytes, over maxTokenBytes (${max})`,
  );
}

export function createSealer(options: SealerOptions): Sealer {
  if (typeof options !== 'object' || options === null) invalidArg('options', 'an object', options);
  if (!serverRuntime) return inertSealer;
  const keys = importKeys(options.secrets);
  const maxTokenBytes = options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  if (!Number.isSafeInteger(maxTokenBytes) || maxTokenBytes < 64) {
    throw new StartGuardError('ERR_INVALID_OPTION', 'maxTokenBytes must be an integer >= 64');
  }
  const onReject = optionalFunction(options.onReject, 'onReject');
  const nowMs = optionalFunction(options.nowMs, 'nowMs') ?? Date.now;
  const b = native();
  const sealKey = keys[0]!;

  const reject = (reason: UnsealRejectReason): null => {
    if (onReject !== undefined) {
      try {
        onReject(reason);
      } catch {
        // A logging hook must never turn a rejected token into an exception.
      }
    }
    return null;
  };

  function seal(value: unknown, opts: SealOptions): string {
    if (typeof opts !== 'object' || opts === null) invalidArg('options', 'an object with ttl', opts);
    const { ttl } = opts;
    if (typeof ttl !== 'number') invalidArg('options.ttl', 'a number of seconds', ttl);
    if (!(ttl > 0) || !Number.isFinite(ttl)) {
      throw new StartGuardError('ERR_INVALID_OPTION', 'options.ttl must be a positive number of seconds');
    }
    const purpose = purposeOf(opts.purpose);
    const now = nowMs();
    if (typeof now !== 'number' || !Number.isFinite(now)) {
      throw new StartGuardError(
        'ERR_INVALID_OPTION',
        `nowMs must return epoch milliseconds; it returned ${now}`,
      );
    }
    const expS = Math.floor(now / 1000 + ttl);
    // A token born expired (a sub-second ttl rounded down) could never be read: refused.
    if (expS * 1000 <= now) {
      throw new StartGuardError(
        'ERR_INVALID_OPTION',
        `options.ttl (${ttl} s) is too short: the token would be expired when issued (exp has whole seconds)`,
      );
    }
    // RFC 3339 stops at year 9999 (toISOString writes "+010000-…" after it, which no reader
    // takes): a token that could never be read is refused instead.
    if (expS > MAX_EXP_SECONDS) {
      throw new StartGuardError(
        'ERR_INVALID_OPTION',
        `options.ttl must end the token by 9999-12-31T23:59:59Z; ${ttl} seconds from now is past it`,
      );
    }
    // The value is stringified first: one that JSON drops (a function, a symbol, a toJSON giving
    // undefined) would make a token whose `data` is missing, which no reader accepts.
    const data = JSON.stringify(value);
    if (data === undefined) invalidArg('value', 'a JSON-serializable value', value);
    // jti (base64url) and the RFC 3339 strings need no escaping.
    const payload = `{"data":${data},"jti":"${randomBase64url(16)}","iat":"${isoSeconds(
      Math.floor(now / 1000),
      'iat',
    )}","exp":"${isoSeconds(expS, 'exp')}"}`;
    // Refused before any native work when even the smallest token this payload can make is too
    // large (each UTF-16 unit is at least one UTF-8 byte), so an oversized value costs its
    // stringification and nothing else.
    const minTokenLength = tokenLength(payload.length, sealKey.footer.length);
    if (minTokenLength > maxTokenBytes) throw tooLarge(minTokenLength, maxTokenBytes);
    const token = b.seal(sealKey.handle, payload, sealKey.footerJson, purpose);
    if (token.length > maxTokenBytes) throw tooLarge(token.length, maxTokenBytes);
    return token;
  }

  function unseal(token: unknown, opts?: UnsealOptions): unknown {
    if (typeof token !== 'string') return reject('not_a_string');
    // The cap comes first: nothing of an oversized token is decoded.
    if (token.length > maxTokenBytes) return reject('too_large');
    if (!token.startsWith(HEADER)) return reject('malformed');
    const purpose = purposeOf(opts?.purpose);
    let payload: string | null = null;
    const dot = token.indexOf('.', HEADER.length);
    if (dot === -1) {
      // No footer: any key may have sealed it (a token from another PASETO library).
      for (let i = 0; i < keys.length && payload === null; i++)
        payload = b.unseal(keys[i]!.handle, token, purpose);
    } else {
      // Our footer names the key; any other footer is refused without trying a key.
      const footer = token.slice(dot + 1);
      const key = keys.find((k) => k.footer === footer);
      if (key === undefined) return reject('unknown_key');
      payload = b.unseal(key.handle, token, purpose);
    }
    if (payload === null) return reject('invalid');
    return readClaims(payload, opts?.claims === true, nowMs(), reject);
  }

  return { seal, unseal } as Sealer;
}

// The browser build's sealer: creating one is free, using one is ERR_SERVER_ONLY.
const inertSealer: Sealer = {
  seal: () => {
    throw serverOnlyError();
  },
  unseal: () => {
    throw serverOnlyError();
  },
};

function readClaims(
  payload: string,
  wantClaims: boolean,
  now: number,
  reject: (r: UnsealRejectReason) => null,
): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return reject('payload');
  }
  if (typeof parsed !== 'object' || parsed === null || !('data' in parsed)) return reject('payload');
  const claims = parsed as { data: unknown; exp?: unknown; iat?: unknown; nbf?: unknown; jti?: unknown };
  // exp is mandatory: a token that never expires is not one this library accepts.
  const exp = rfc3339(claims.exp);
  if (Number.isNaN(exp)) return reject('payload');
  if (now >= exp) return reject('expired');
  if (claims.nbf !== undefined) {
    const nbf = rfc3339(claims.nbf);
    if (Number.isNaN(nbf)) return reject('payload');
    if (now < nbf) return reject('not_yet_valid');
  }
  if (!wantClaims) return claims.data;
  const iat = rfc3339(claims.iat);
  return {
    value: claims.data,
    jti: typeof claims.jti === 'string' ? claims.jti : '',
    iat: Number.isNaN(iat) ? NaN : Math.floor(iat / 1000),
    exp: Math.floor(exp / 1000),
  };
}

// PASETO's claims are RFC 3339 date-times with an explicit offset. Date.parse alone also takes
// local-time and free-form dates (read in the server's time zone) and rolls impossible ones over
// (Feb 31 becomes Mar 3), so the fields are checked before it runs.
const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d{1,9})?(?:Z|[+-](\d\d):(\d\d))$/i;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function rfc3339(value: unknown): number {
  if (typeof value !== 'string') return NaN;
  const m = RFC3339.exec(value);
  if (m === null) return NaN;
  const [, y, mo, d, h, mi, sec, oh, om] = m as unknown as string[];
  const month = +mo!;
  const year = +y!;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month - 1]!;
  const valid =
    month >= 1 &&
    month <= 12 &&
    +d! >= 1 &&
    +d! <= daysInMonth &&
    +h! <= 23 &&
    +mi! <= 59 &&
    +sec! <= 59 &&
    (oh === undefined || (+oh <= 23 && +om! <= 59));
  return valid ? Date.parse(value) : NaN;
}

function importKeys(secrets: unknown): Key[] {
  const list = Array.isArray(secrets) ? secrets : [secrets];
  if (list.length === 0)
    throw new StartGuardError('ERR_INVALID_OPTION', 'secrets must hold at least one secret');
  const b = native();
  return list.map((secret, i) => {
    const raw = rawKey(secret, `secrets[${i}]`);
    try {
      const lid = b.paserkLid(raw.bytes);
      const footerJson = `{"kid":"${lid}"}`;
      return {
        handle: b.localKey(raw.bytes),
        footerJson,
        footer: Buffer.from(footerJson).toString('base64url'),
      };
    } finally {
      if (raw.ours) raw.bytes.fill(0);
    }
  });
}

/** The 32 key bytes for a secret; `ours` when they are a copy this module must wipe. */
function rawKey(secret: unknown, name: string): { bytes: Uint8Array; ours: boolean } {
  const b = native();
  if (secret instanceof Uint8Array) {
    if (secret.length === 32) return { bytes: secret, ours: false };
    if (secret.length < 32) throw tooShort(name);
    return { bytes: b.deriveKey(secret), ours: true };
  }
  if (typeof secret !== 'string') return invalidArg(name, 'a string or a Uint8Array', secret);
  checkWellFormedSecret(name, secret);
  if (secret.startsWith('k4.local.')) {
    const key = b.paserkLocalDecode(secret);
    if (key === null)
      throw new StartGuardError('ERR_INVALID_OPTION', `${name} is not a valid PASERK k4.local key`);
    return { bytes: key, ours: true };
  }
  const bytes = Buffer.from(secret, 'utf8');
  try {
    if (bytes.length < 32) throw tooShort(name);
    return { bytes: b.deriveKey(bytes), ours: true };
  } finally {
    bytes.fill(0);
  }
}

function tooShort(name: string): StartGuardError {
  return new StartGuardError('ERR_SECRET_TOO_SHORT', `${name} must be at least 32 bytes`);
}

function purposeOf(purpose: unknown): string {
  if (purpose === undefined) return '';
  // A lone surrogate reaches the binding as U+FFFD, so two different strings would be one
  // purpose: refused.
  if (typeof purpose !== 'string' || !(purpose as string & { isWellFormed(): boolean }).isWellFormed()) {
    return invalidArg('purpose', 'a well-formed string', purpose);
  }
  return purpose;
}

function optionalFunction<F>(value: F | undefined, name: string): F | undefined {
  if (value !== undefined && typeof value !== 'function') invalidArg(name, 'a function', value);
  return value;
}

// RFC 3339 at second precision, as PASETO's examples write their claims. Tokens sealed in the
// same second share their iat (and often exp) strings: a one-entry cache each saves ~0.4 µs.
const isoCache = { iat: { s: NaN, v: '' }, exp: { s: NaN, v: '' } };
function isoSeconds(seconds: number, slot: 'iat' | 'exp'): string {
  const c = isoCache[slot];
  if (c.s !== seconds) {
    c.s = seconds;
    c.v = new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  }
  return c.v;
}
