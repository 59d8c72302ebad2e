// The rate-limit store contract as tests, for any store (the reference store here, the Redis
// store of start-guard/redis): run through a limiter, as an application would use it.
//   rateStoreContract('redis', async () => ({ store, close }))
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { createRateLimiter } from 'start-guard';

let unique = 0;

export function rateStoreContract(label, makeStore) {
  describe(`rate-limit store contract: ${label}`, () => {
    async function limiter(options) {
      const made = await makeStore();
      const l = createRateLimiter({
        name: `contract-${label}-${process.pid}-${++unique}`,
        store: made.store,
        ...options,
      });
      return { l, close: made.close ?? (async () => {}) };
    }

    test('a bucket starts full, gives capacity tokens, then refuses without taking', async () => {
      const { l, close } = await limiter({ capacity: 3, refillPerSecond: 0.01 });
      try {
        assert.deepEqual(await l.take('k'), { allowed: true, remaining: 2, retryAfterMs: 0 });
        assert.deepEqual(await l.take('k', 2), { allowed: true, remaining: 0, retryAfterMs: 0 });
        const refused = await l.take('k');
        assert.equal(refused.allowed, false);
        assert.equal(refused.remaining, 0);
        // One token every 100 s: the wait is about that (less the time since the first take).
        assert.ok(
          refused.retryAfterMs > 90_000 && refused.retryAfterMs <= 100_000,
          String(refused.retryAfterMs),
        );
        assert.equal((await l.take('other')).remaining, 2, 'keys have their own buckets');
      } finally {
        await close();
      }
    });

    test('a refused take of several tokens reports the tokens there are', async () => {
      const { l, close } = await limiter({ capacity: 10, refillPerSecond: 0.001 });
      try {
        await l.take('k', 7);
        const refused = await l.take('k', 5);
        assert.equal(refused.allowed, false);
        assert.equal(refused.remaining, 3);
        assert.equal((await l.take('k', 3)).allowed, true);
      } finally {
        await close();
      }
    });

    test('tokens come back at refillPerSecond, and retryAfterMs is enough', async () => {
      const { l, close } = await limiter({ capacity: 2, refillPerSecond: 20 });
      try {
        assert.equal((await l.take('k', 2)).allowed, true);
        const refused = await l.take('k');
        assert.equal(refused.allowed, false);
        assert.ok(refused.retryAfterMs >= 1 && refused.retryAfterMs <= 50, String(refused.retryAfterMs));
        await sleep(refused.retryAfterMs + 5);
        assert.equal((await l.take('k')).allowed, true);
      } finally {
        await close();
      }
    });

    test('peek answers as take would, changing nothing', async () => {
      const { l, close } = await limiter({ capacity: 2, refillPerSecond: 0.01 });
      try {
        assert.deepEqual(await l.peek('k'), { allowed: true, remaining: 1, retryAfterMs: 0 });
        await l.take('k', 2);
        const peeked = await l.peek('k');
        assert.equal(peeked.allowed, false);
        const again = await l.peek('k');
        assert.equal(again.allowed, false);
        assert.ok(again.retryAfterMs <= peeked.retryAfterMs, 'a peek took nothing');
        const taken = await l.take('k');
        assert.equal(taken.allowed, false);
        assert.ok(taken.retryAfterMs <= again.retryAfterMs);
      } finally {
        await close();
      }
    });

    test('refund gives tokens back up to a full bucket; reset forgets the bucket', async () => {
      const { l, close } = await limiter({ capacity: 3, refillPerSecond: 0.01 });
      try {
        await l.take('k', 3);
        await l.refund('k', 2);
        assert.equal((await l.peek('k')).remaining, 1);
        await l.refund('k', 3);
        assert.equal((await l.peek('k', 3)).allowed, true, 'full again');
        assert.equal((await l.take('k', 3)).allowed, true);
        assert.equal((await l.take('k', 1)).allowed, false, 'never above capacity');
        await l.reset('k');
        assert.equal((await l.take('k', 3)).allowed, true);
      } finally {
        await close();
      }
    });

    test('limiters of different names keep their buckets apart in one store', async () => {
      const made = await makeStore();
      try {
        const a = createRateLimiter({
          name: `contract-${label}-${process.pid}-${++unique}`,
          store: made.store,
          capacity: 1,
          refillPerSecond: 0.01,
        });
        const b = createRateLimiter({
          name: `contract-${label}-${process.pid}-${++unique}`,
          store: made.store,
          capacity: 5,
          refillPerSecond: 0.01,
        });
        assert.equal((await a.take('k')).allowed, true);
        assert.equal((await a.take('k')).allowed, false);
        assert.equal((await b.take('k')).remaining, 4);
      } finally {
        await made.close?.();
      }
    });
  });
}
