// Argument checks shared by the stores: wrong programmer input is a TypeError/RangeError naming
// the argument, never a silently wrong revocation.
import { invalidArg } from '../errors';
import type { RevocableSession } from './types';

// Epoch seconds stay below this until the year 5138; epoch milliseconds are far above it, so a
// time in the wrong unit is caught here instead of keeping an entry for 1000 times too long.
const MAX_EPOCH_SECONDS = 1e11;

export function checkId(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) invalidArg(name, 'a non-empty string', value);
}

export function checkSeconds(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') invalidArg(name, 'a number (epoch seconds)', value);
  if (!Number.isFinite(value) || value > MAX_EPOCH_SECONDS) {
    outOfRange(name, `must be finite epoch seconds (not milliseconds); received ${value}`);
  }
}

export function checkMs(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') invalidArg(name, 'a number (epoch milliseconds)', value);
  if (!Number.isFinite(value)) outOfRange(name, `must be finite; received ${value}`);
}

// 1e11 ms is March 1973: a watermark below it is almost surely seconds, which would revoke
// nothing at all (fail-open), so it is refused.
const MIN_WATERMARK_MS = 1e11;

export function checkWatermarkMs(name: string, value: unknown): asserts value is number {
  checkMs(name, value);
  if (value < MIN_WATERMARK_MS) {
    outOfRange(name, `must be epoch milliseconds (not seconds); received ${value}`);
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

function outOfRange(name: string, detail: string): never {
  const err = new RangeError(`The "${name}" argument ${detail}`);
  (err as RangeError & { code: string }).code = 'ERR_OUT_OF_RANGE';
  throw err;
}
