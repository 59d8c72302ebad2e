// Password input: type and size checks, Unicode normalization, and the bytes handed to the
// engines (a fresh buffer per call, wiped by the caller once the binding has copied it).
import { StartGuardError, invalidArg } from '../errors';
import type { NormalizationForm } from './salt';

// Made on first use: the browser bundle must evaluate where TextEncoder does not exist.
let encoder: TextEncoder | undefined;

export function checkType(password: unknown): asserts password is string {
  if (typeof password !== 'string') invalidArg('password', 'a string', password);
}

/**
 * Refuses a password over `max` UTF-8 bytes, never truncating it. Checked on the input before
 * normalizing (NFKC can grow a string up to 18 times, so its cost is bounded first) and on the
 * result.
 */
export function checkSize(password: string, max: number): void {
  // Each UTF-16 unit is 1 to 3 UTF-8 bytes: most strings are decided without counting.
  if (password.length <= max / 3) return;
  if (password.length > max || Buffer.byteLength(password, 'utf8') > max) {
    throw new StartGuardError('ERR_PASSWORD_TOO_LONG', `the password is over ${max} bytes`);
  }
}

export function prepare(password: string, form: NormalizationForm): string {
  return form === 'none' ? password : password.normalize(form);
}

/** Unicode code points (what a user counts as characters, NIST SP 800-63B). */
export function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

export function utf8(s: string): Uint8Array {
  return (encoder ??= new TextEncoder()).encode(s);
}
