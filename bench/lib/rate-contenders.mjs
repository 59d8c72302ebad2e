// The rate limiters under comparison, each built the same way for the throughput and memory
// benchmarks: start-guard's native table, rate-limiter-flexible's RateLimiterMemory (fixed
// window, a record and a timer per key), and what a user would hand-write: a Map of small
// token-bucket records on the monotonic clock.
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { createRateLimiter } from 'start-guard';

// Large enough that no contender refuses during a run: refusals are a different code path
// (RLF rejects its promise), and every contender must do the same work.
const CAPACITY = 1e9;

export function startGuard({ maxKeys = 2 ** 22 } = {}) {
  return createRateLimiter({ capacity: CAPACITY, refillPerSecond: 1, maxKeys });
}

export function rateLimiterFlexible({ duration = 60 } = {}) {
  return new RateLimiterMemory({ points: CAPACITY, duration });
}

/** A token bucket per key in a Map: { tokens, at }; what many apps write by hand. */
export function mapBucket({ capacity = CAPACITY, refillPerSecond = 1 } = {}) {
  const buckets = new Map();
  return {
    buckets,
    take(key, cost = 1) {
      const now = performance.now();
      let b = buckets.get(key);
      if (b === undefined) {
        b = { tokens: capacity, at: now };
        buckets.set(key, b);
      } else {
        b.tokens = Math.min(capacity, b.tokens + ((now - b.at) / 1000) * refillPerSecond);
        b.at = now;
      }
      if (b.tokens >= cost) {
        b.tokens -= cost;
        return { allowed: true, remaining: Math.floor(b.tokens), retryAfterMs: 0 };
      }
      return {
        allowed: false,
        remaining: Math.floor(b.tokens),
        retryAfterMs: Math.ceil(((cost - b.tokens) / refillPerSecond) * 1000),
      };
    },
  };
}

/** `count` distinct client-like keys (IPv4 addresses with a suffix past 65,536). */
export function distinctKeys(count) {
  return Array.from({ length: count }, (_, i) => `198.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
}
