// Checks of the limiter's options and arguments: wrong programmer input is a TypeError or a
// RangeError naming the argument, at once.
import { invalidArg, outOfRangeArg } from '../errors';

/** The table's own bounds (native/core/gcra.hpp, rate_table.hpp). */
export const MAX_CAPACITY = 1e9;
export const MAX_REFILL_PER_SECOND = 1e6;
export const MAX_KEYS = 2 ** 30;
const MAX_NAME_LENGTH = 200;

export function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') invalidArg('key', 'a string', key);
}

export function checkCost(cost: unknown, capacity: number): asserts cost is number {
  if (typeof cost !== 'number') invalidArg('cost', 'a number', cost);
  if (!Number.isInteger(cost) || cost < 1 || cost > capacity) {
    // A take above capacity could never pass: an error, never a bucket gone negative.
    outOfRangeArg('cost', `must be an integer from 1 to the capacity (${capacity}); received ${cost}`);
  }
}

export function checkCapacity(name: string, value: unknown): number {
  if (typeof value !== 'number') invalidArg(name, 'a number', value);
  if (!Number.isInteger(value) || value < 1 || value > MAX_CAPACITY) {
    outOfRangeArg(name, `must be an integer from 1 to ${MAX_CAPACITY}; received ${value}`);
  }
  return value;
}

export function checkRefill(name: string, value: unknown, capacity: number): number {
  if (typeof value !== 'number') invalidArg(name, 'a number', value);
  if (!(value > 0 && value <= MAX_REFILL_PER_SECOND)) {
    outOfRangeArg(name, `must be above 0 and at most ${MAX_REFILL_PER_SECOND}; received ${value}`);
  }
  // The time a drained bucket takes to refill stays under 2^62 ns (146 years).
  if (Math.round(1e9 / value) * capacity >= 2 ** 62) {
    outOfRangeArg(name, `is too slow for the capacity: a drained bucket would take over 146 years to refill`);
  }
  return value;
}

export function checkMaxKeys(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') invalidArg(name, 'a number', value);
  if (!Number.isInteger(value) || value < 1 || value > MAX_KEYS) {
    outOfRangeArg(name, `must be an integer from 1 to 2^30; received ${value}`);
  }
  return value;
}

// A code point that is a surrogate (\p{Cs} with the u flag) is one that is not part of a pair.
const LONE_SURROGATE = /\p{Cs}/u;

export function checkName(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  // Well-formed: the native registry keys tables by the name in UTF-8, where every lone
  // surrogate becomes U+FFFD, so two such names would share one table.
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_NAME_LENGTH ||
    LONE_SURROGATE.test(value)
  ) {
    invalidArg(name, `a non-empty, well-formed string of at most ${MAX_NAME_LENGTH} characters`, value);
  }
  return value;
}

/** `{ capacity, refillPerSecond }` checked, or the fallback when absent. */
export function bucketSettings(
  name: string,
  value: unknown,
  fallback: { capacity: number; refillPerSecond: number },
): { capacity: number; refillPerSecond: number } {
  if (value === undefined) return fallback;
  if (typeof value !== 'object' || value === null)
    invalidArg(name, 'an object { capacity, refillPerSecond }', value);
  const v = value as { capacity?: unknown; refillPerSecond?: unknown };
  const capacity = checkCapacity(`${name}.capacity`, v.capacity);
  return { capacity, refillPerSecond: checkRefill(`${name}.refillPerSecond`, v.refillPerSecond, capacity) };
}
