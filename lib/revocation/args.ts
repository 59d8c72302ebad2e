// Argument checks shared by the stores: wrong programmer input is a TypeError/RangeError naming
// the argument, never a silently wrong revocation.
import { invalidArg, outOfRangeArg } from '../errors';
import type { RevocableSession } from './types';

// Epoch seconds stay below this until the year 5138; epoch milliseconds are far above it, so a
// time in the wrong unit is caught here instead of keeping an entry for 1000 times too long.
const MAX_EPOCH_SECONDS = 1e11;
// And no session expires before September 2001: a value under this is a duration (43200 for
// "12 hours"), which taken as an expiry would already be past and revoke nothing (fail open).
const MIN_EPOCH_SECONDS = 1e9;

export function checkId(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) invalidArg(name, 'a non-empty string', value);
}

export function checkSeconds(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') invalidArg(name, 'a number (epoch seconds)', value);
  if (!Number.isFinite(value) || value > MAX_EPOCH_SECONDS || value < MIN_EPOCH_SECONDS) {
    outOfRangeArg(
      name,
      `must be a date in epoch seconds (not milliseconds, not a duration such as 43200); received ${value}`,
    );
  }
}

export function checkMs(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') invalidArg(name, 'a number (epoch milliseconds)', value);
  if (!Number.isFinite(value)) outOfRangeArg(name, `must be finite; received ${value}`);
}

// 1e11 ms is March 1973: a watermark below it is almost surely seconds, which would revoke
// nothing at all (fail-open), so it is refused.
const MIN_WATERMARK_MS = 1e11;

export function checkWatermarkMs(name: string, value: unknown): asserts value is number {
  checkMs(name, value);
  if (value < MIN_WATERMARK_MS) {
    outOfRangeArg(name, `must be epoch milliseconds (not seconds); received ${value}`);
  }
}

export function checkSession(value: unknown): asserts value is RevocableSession {
  if (typeof value !== 'object' || value === null) invalidArg('session', 'an object', value);
  const s = value as Partial<RevocableSession>;
  checkId('session.id', s.id);
  checkId('session.userId', s.userId);
  checkMs('session.createdAtMs', s.createdAtMs);
}

export function checkClock(value: unknown): (() => number) | undefined {
  if (value !== undefined && typeof value !== 'function') invalidArg('options.nowMs', 'a function', value);
  return value as (() => number) | undefined;
}
