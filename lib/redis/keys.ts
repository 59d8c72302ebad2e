// Redis key names. Application keys (an IP address, an e-mail, a user id) are stored as SHA-256
// digests: Redis never holds the address or the e-mail in clear, and every key has a bounded
// length whatever the caller passes. (A digest is a pseudonym, not a secret: whoever reads Redis
// can still test a guess.)
import { hash } from 'node:crypto';
import { invalidArg } from '../errors';

export const DEFAULT_PREFIX = 'start-guard:';
const MAX_PREFIX_LENGTH = 200;

/** 128 bits of SHA-256, base64url (22 characters): collisions are out of reach. */
export function digest(value: string): string {
  // crypto.hash (Node >= 20.12): one call, no Hash object; measured ~2x createHash here.
  return hash('sha256', value, 'base64url').slice(0, 22);
}

export function checkPrefix(value: unknown): string {
  if (value === undefined) return DEFAULT_PREFIX;
  if (typeof value !== 'string' || value.length > MAX_PREFIX_LENGTH) {
    invalidArg('options.prefix', `a string of at most ${MAX_PREFIX_LENGTH} characters`, value);
  }
  return value;
}
