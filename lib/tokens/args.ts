// Argument checks shared by the token API and its stores: wrong programmer input is a
// TypeError/RangeError naming the argument, never a token bound to something else.
import { invalidArg, outOfRangeArg } from '../errors';
import { checkSeconds } from '../revocation/args';
import type { TokenRecord } from './types';

export const ID_CHARS = 22; // 16 bytes, base64url
export const VERIFIER_CHARS = 43; // 32 bytes, base64url
export const MAX_USER_ID_LENGTH = 256;
export const MAX_DATA_LENGTH = 1024;
const PURPOSE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A non-empty, well-formed string of at most `max` characters (lone surrogates would not hash). */
export function checkText(name: string, value: unknown, max: number): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) invalidArg(name, 'a non-empty string', value);
  if (value.length > max) outOfRangeArg(name, `must be at most ${max} characters`);
  if (LONE_SURROGATE.test(value)) outOfRangeArg(name, 'must be a well-formed string (no lone surrogates)');
}

export function checkPurpose(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') invalidArg(name, 'a string', value);
  if (!PURPOSE.test(value)) {
    outOfRangeArg(name, "must be 1 to 64 characters of A-Z a-z 0-9 . _ : / - (e.g. 'reset', 'verify')");
  }
}

export function checkData(name: string, value: unknown): asserts value is string | undefined {
  if (value !== undefined) checkText(name, value, MAX_DATA_LENGTH);
}

export function checkTokenId(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') invalidArg(name, 'a string', value);
  if (value.length !== ID_CHARS || !BASE64URL.test(value)) {
    outOfRangeArg(name, `must be a token id (${ID_CHARS} base64url characters)`);
  }
}

export function checkRecord(value: unknown): asserts value is TokenRecord {
  if (typeof value !== 'object' || value === null) invalidArg('record', 'an object', value);
  const r = value as Partial<TokenRecord>;
  checkTokenId('record.id', r.id);
  checkText('record.userId', r.userId, MAX_USER_ID_LENGTH);
  checkPurpose('record.purpose', r.purpose);
  if (typeof r.verifier !== 'string' || r.verifier.length !== VERIFIER_CHARS || !BASE64URL.test(r.verifier)) {
    invalidArg('record.verifier', `a ${VERIFIER_CHARS}-character base64url string`, r.verifier);
  }
  checkSeconds('record.expiresAt', r.expiresAt);
  checkData('record.data', r.data);
}

/** A copy with exactly the record's fields: a store never keeps (or hands out) the caller's object. */
export function copyRecord(r: TokenRecord): TokenRecord {
  const copy: TokenRecord = {
    id: r.id,
    userId: r.userId,
    purpose: r.purpose,
    verifier: r.verifier,
    expiresAt: r.expiresAt,
  };
  if (r.data !== undefined) copy.data = r.data;
  return copy;
}
