// The reference implementation of the rate-limit store contract (lib/ratelimit/types.ts), in
// plain JS: a token bucket per (name, key) in GCRA form on a monotonic clock, in integer
// nanoseconds (BigInt: floating-point milliseconds drift across a bucket's edge). It can be
// taken "down" to exercise the limiter's onUnavailable policies, and records what it was asked.
import { StartGuardError } from 'start-guard';

const MS = 1_000_000n;

export function createMemoryRateStore({ onUnavailable, now = () => process.hrtime.bigint() } = {}) {
  const buckets = new Map(); // `${name}\n${key}` -> TAT in ns
  const calls = [];
  const state = { down: false };

  const interval = (p) => BigInt(Math.round(1e9 / p.refillPerSecond));
  const id = (key, p) => `${p.name}\n${key}`;
  const check = () => {
    if (state.down) throw new StartGuardError('ERR_STORE_UNAVAILABLE', 'the reference store is down');
  };

  function answer(tat, cost, p, t) {
    const base = tat > t ? tat : t;
    const burst = BigInt(p.capacity) * interval(p);
    const next = base + BigInt(cost) * interval(p);
    if (next - t <= burst) {
      return {
        result: { allowed: true, remaining: Number((burst - (next - t)) / interval(p)), retryAfterMs: 0 },
        next,
      };
    }
    const wait = next - burst - t;
    return {
      result: {
        allowed: false,
        remaining: Number((burst - (base - t)) / interval(p)),
        retryAfterMs: Number((wait + MS - 1n) / MS),
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
      if (tat === undefined) return;
      const back = tat - BigInt(cost) * interval(params);
      buckets.set(id(key, params), back > t ? back : t);
    },
    async reset(key, params) {
      calls.push(['reset', key, params]);
      check();
      buckets.delete(id(key, params));
    },
  };
  return store;
}
