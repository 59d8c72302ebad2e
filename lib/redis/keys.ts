// Redis key names. Application keys (an IP address, an e-mail, a user id) are stored as SHA-256
// digests: Redis never holds the address or the e-mail in clear, and every key has a bounded
// length whatever the caller passes. (A digest is a pseudonym, not a secret: whoever reads Redis
// can still test a guess.)
import { hash } from 'node:crypto';
import { invalidArg } from '../errors';

export const DEFAULT_PREFIX = 'start-guard:';
const MAX_PREFIX_LENGTH = 200;

// Prepended to the UTF-16 code units of an ill-formed string: 0xFF never occurs in UTF-8, so
// those digests can never be the digest of a well-formed string's UTF-8.
const ILL_FORMED = Buffer.from([0xff]);

/**
 * 128 bits of SHA-256, base64url (22 characters): collisions are out of reach. Distinct strings
 * get distinct digests, as they get distinct entries in the native table and the memory and file
 * stores: a well-formed string is hashed as UTF-8 (the keys written before this rule), one with a
 * lone surrogate as its UTF-16 code units (UTF-8 would turn every lone surrogate into U+FFFD, so
 * 'a\uD800' and 'a\uFFFD' would share a bucket or a watermark).
 */
export function digest(value: string): string {
  // crypto.hash (Node >= 20.12): one call, no Hash object; measured ~2x createHash here.
  if ((value as WellFormed).isWellFormed()) return hash('sha256', value, 'base64url').slice(0, 22);
  const units = Buffer.concat([ILL_FORMED, Buffer.from(value, 'utf16le')]);
  return hash('sha256', units, 'base64url').slice(0, 22);
}

// String.prototype.isWellFormed: Node >= 20, not in the ES2022 lib the build targets.
type WellFormed = string & { isWellFormed(): boolean };

export function checkPrefix(value: unknown): string {
  if (value === undefined) return DEFAULT_PREFIX;
  if (typeof value !== 'string' || value.length > MAX_PREFIX_LENGTH) {
    invalidArg('options.prefix', `a string of at most ${MAX_PREFIX_LENGTH} characters`, value);
  }
  return value;
}
