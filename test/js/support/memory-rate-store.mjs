// The reference implementation of the rate-limit store contract (lib/ratelimit/types.ts), in
// plain JS: a token bucket per (name, key) in GCRA form on a monotonic clock. It can be taken
// "down" to exercise the limiter's onUnavailable policies, and records what it was asked.
import { StartGuardError } from 'start-guard';

export function createMemoryRateStore({ onUnavailable, now = () => performance.now() } = {}) {
  const buckets = new Map(); // `${name}\n${key}` -> TAT in ms
  const calls = [];
  const state = { down: false };

  const interval = (p) => 1000 / p.refillPerSecond;
  const id = (key, p) => `${p.name}\n${key}`;
  const check = () => {
    if (state.down) throw new StartGuardError('ERR_STORE_UNAVAILABLE', 'the reference store is down');
  };

  function answer(tat, cost, p, t) {
    const base = Math.max(tat, t);
    const burst = p.capacity * interval(p);
    const next = base + cost * interval(p);
    if (next - t <= burst) {
      return {
        result: { allowed: true, remaining: Math.floor((burst - (next - t)) / interval(p)), retryAfterMs: 0 },
        next,
      };
    }
    return {
      result: {
        allowed: false,
        remaining: Math.floor((burst - (base - t)) / interval(p)),
        retryAfterMs: Math.ceil(next - burst - t),
      },
      next: tat,
    };
  }

  const store = {
    onUnavailable,
    calls,
    state,
    async take(key, cost, params) {
      calls.push(['take', key, cost, params]);
      check();
      const t = now();
      const { result, next } = answer(buckets.get(id(key, params)) ?? t, cost, params, t);
      if (result.allowed) buckets.set(id(key, params), next);
      return result;
    },
    async peek(key, cost, params) {
      calls.push(['peek', key, cost, params]);
      check();
      const t = now();
      return answer(buckets.get(id(key, params)) ?? t, cost, params, t).result;
    },
    async refund(key, cost, params) {
      calls.push(['refund', key, cost, params]);
      check();
      const t = now();
      const tat = buckets.get(id(key, params));
      if (tat !== undefined) buckets.set(id(key, params), Math.max(t, tat - cost * interval(params)));
    },
    async reset(key, params) {
      calls.push(['reset', key, params]);
      check();
      buckets.delete(id(key, params));
    },
  };
  return store;
}
