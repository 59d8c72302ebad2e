// Redis failing under traffic: killed and restarted, hung (SIGSTOP), restarted from its AOF. Every
// call answers within timeoutMs (the limiter by its store's policy, the revocation store with
// ERR_STORE_UNAVAILABLE); nothing crashes, nothing rejects unhandled, nothing waits for Redis.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRateLimiter, createSessionManager, isStartGuardError } from 'start-guard';
import { createRedisRateLimitStore, createRedisRevocationStore } from 'start-guard/redis';
import { connect, ready } from './support/clients.mjs';
import { startRedis } from './support/redis-server.mjs';

const unhandled = [];
process.on('unhandledRejection', (e) => unhandled.push(e));
after(() => assert.deepEqual(unhandled, [], 'no unhandled rejection'));

const TIMEOUT_MS = 100;
// What "within timeoutMs" may take on a loaded, shared 2-core machine. A request held until Redis
// is back would take the whole outage (at least a second here), far above it.
const SLACK_MS = 400;
const slowTokens = { capacity: 5, refillPerSecond: 0.01 }; // one token per 100 s: no refill in a test

let unique = 0;
const name = (label) => `outage-${label}-${process.pid}-${++unique}`;
const unavailable = (e) => isStartGuardError(e, 'ERR_STORE_UNAVAILABLE') && e.status === 503;

async function timed(fn) {
  const t0 = performance.now();
  try {
    return { value: await fn(), ms: performance.now() - t0 };
  } catch (error) {
    return { error, ms: performance.now() - t0 };
  }
}

/**
 * Runs `workers` loops of takes on their own keys until `stop()`; each record says what the take
 * answered, how long it took, and whether it started and ended within one phase.
 */
function traffic(limiter, workers, phase) {
  const records = [];
  let running = true;
  const loops = Array.from({ length: workers }, async (_, w) => {
    while (running) {
      const start = phase.current;
      const r = await timed(() => limiter.take(`client-${w}`));
      records.push({ w, phase: start === phase.current ? start : 'edge', ...r });
      await sleep(5);
    }
  });
  return {
    records,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe('the rate-limit store, Redis killed and restarted mid-traffic', () => {
  for (const policy of ['local', 'allow', 'deny']) {
    test(`onUnavailable '${policy}': answers as documented within timeoutMs, then Redis again`, async () => {
      const redis = await startRedis();
      try {
        const client = await connect(redis.url);
        const storeEvents = [];
        const limiterEvents = [];
        const store = createRedisRateLimitStore({
          client,
          timeoutMs: TIMEOUT_MS,
          onUnavailable: policy,
          onEvent: (e) => storeEvents.push(e),
        });
        const limiter = createRateLimiter({
          name: name(policy),
          store,
          ...slowTokens,
          onEvent: (e) => limiterEvents.push(e),
        });
        const phase = { current: 'up' };
        const t = traffic(limiter, 4, phase);
        await sleep(300);
        phase.current = 'killing';
        await redis.kill();
        phase.current = 'down';
        await sleep(1200);
        phase.current = 'restarting';
        await redis.restart();
        await ready(client);
        phase.current = 'back';
        await sleep(400);
        await t.stop();

        const by = (p) => t.records.filter((r) => r.phase === p);
        assert.deepEqual(
          t.records.filter((r) => r.error),
          [],
          'a take never rejects for an outage',
        );
        const slowest = Math.max(...t.records.map((r) => r.ms));
        assert.ok(slowest <= TIMEOUT_MS + SLACK_MS, `slowest take ${slowest.toFixed(0)} ms`);
        for (let w = 0; w < 4; w++) {
          const mine = (p) => by(p).filter((r) => r.w === w);
          // Up: Redis's bucket gives 5 tokens, then refuses.
          assert.equal(mine('up').filter((r) => r.value.allowed).length, 5);
          const down = mine('down');
          assert.ok(down.length >= 8, `${down.length} takes while down`);
          const allowed = t.records.filter((r) => r.w === w && r.value.allowed).length;
          if (policy === 'local') {
            // The limiter's own table: a fresh bucket per client, limits still hold.
            assert.ok(down.filter((r) => r.value.allowed).length <= 5);
            assert.ok(down.filter((r) => !r.value.allowed).every((r) => r.value.retryAfterMs > 90_000));
            // 5 from Redis before, 5 from the local table (some may fall on the edges of the
            // outage), 5 from the restarted Redis (its drained buckets are checked below).
            assert.equal(allowed, 15);
          } else if (policy === 'allow') {
            assert.ok(down.every((r) => r.value.allowed));
          } else {
            assert.ok(down.every((r) => !r.value.allowed && r.value.retryAfterMs === 1000));
            assert.equal(allowed, 10, '5 from Redis before, none while down, 5 after');
          }
          // Back: Redis answers again. The policies never give a refusal of ~100 s ('allow'
          // refuses nothing, 'deny' says 1000 ms), so the last answer is Redis's drained bucket.
          const back = mine('back');
          assert.ok(back.length >= 6, `${back.length} takes after the restart`);
          const last = back.at(-1).value;
          assert.ok(!last.allowed && last.retryAfterMs > 90_000, JSON.stringify(last));
        }
        // And the restarted (empty) Redis holds the four drained buckets: 5 tokens of 100 s owed.
        const keys = await client.keys(`start-guard:rl:${limiter.name}:*`);
        assert.equal(keys.length, 4);
        for (const key of keys) {
          const ttl = await client.pTTL(key);
          assert.ok(ttl > 490_000 && ttl <= 500_000, `${ttl}`);
        }
        assert.ok(limiterEvents.some((e) => e.type === 'store.unavailable' && e.reason === policy));
        assert.ok(
          storeEvents.some((e) => e.type === 'store.unavailable' && /^redis rate limit: /.test(e.reason)),
        );
      } finally {
        await redis.stop();
      }
    });
  }
});

describe('a hung Redis (SIGSTOP): the socket stays open and nothing answers', () => {
  test('takes answer by the policy and revocation checks reject, each within timeoutMs', async () => {
    const redis = await startRedis();
    try {
      const client = await connect(redis.url);
      const limiter = createRateLimiter({
        name: name('hung'),
        store: createRedisRateLimitStore({ client, timeoutMs: TIMEOUT_MS, onUnavailable: 'deny' }),
        ...slowTokens,
      });
      const revocation = createRedisRevocationStore({ client, timeoutMs: TIMEOUT_MS });
      await revocation.revoke('sid', Math.floor(Date.now() / 1000) + 600);
      assert.equal((await limiter.take('k')).allowed, true);
      redis.pause();
      for (let i = 0; i < 3; i++) {
        const take = await timed(() => limiter.take('k'));
        assert.deepEqual(take.value, { allowed: false, remaining: 0, retryAfterMs: 1000 });
        assert.ok(take.ms >= TIMEOUT_MS - 5 && take.ms <= TIMEOUT_MS + SLACK_MS, `${take.ms} ms`);
        const check = await timed(() =>
          revocation.isRevoked({ id: 'sid', userId: 'u', createdAtMs: Date.now() }),
        );
        assert.ok(unavailable(check.error), String(check.error));
        assert.ok(check.ms <= TIMEOUT_MS + SLACK_MS, `${check.ms} ms`);
        const write = await timed(() => revocation.revoke('other', Math.floor(Date.now() / 1000) + 600));
        assert.ok(unavailable(write.error), String(write.error));
      }
      redis.resume();
      await ready(client);
      // Answered again (the takes that timed out were queued, and ran once Redis woke up).
      assert.equal(await revocation.isRevoked({ id: 'sid', userId: 'u', createdAtMs: Date.now() }), true);
      assert.equal((await limiter.take('k')).allowed, true);
    } finally {
      await redis.stop();
    }
  });
});

describe('revocation with Redis down', () => {
  test('sessions.read is ERR_STORE_UNAVAILABLE (503) at once while the client reconnects, never a pass', async () => {
    const redis = await startRedis();
    try {
      const client = await connect(redis.url);
      const events = [];
      // A long timeout: the answer must come from "not connected", not from waiting it out.
      const store = createRedisRevocationStore({ client, timeoutMs: 2000, onEvent: (e) => events.push(e) });
      const sessions = createSessionManager({
        secrets: 'a redis-backed secret of 32 bytes or more',
        revocation: store,
        cookie: { insecureDevelopment: true },
      });
      const { session, setCookie } = sessions.create('alice', null);
      const cookie = setCookie.split(';')[0];
      assert.equal((await sessions.read(cookie))?.session.id, session.id);
      await sessions.destroy(session);
      assert.equal(await sessions.read(cookie), null);
      await redis.kill();
      const deadline = Date.now() + 5000;
      while (client.isReady && Date.now() < deadline) await sleep(10);
      assert.equal(client.isReady, false);
      for (let i = 0; i < 5; i++) {
        const read = await timed(() => sessions.read(cookie));
        assert.ok(unavailable(read.error), String(read.error ?? JSON.stringify(read.value)));
        assert.ok(read.ms < 200, `${read.ms} ms: not held in the client's offline queue`);
        await sleep(50);
      }
      const other = sessions.create('bob', null);
      await assert.rejects(sessions.destroy(other.session), unavailable);
      assert.ok(events.some((e) => e.type === 'store.unavailable' && /^redis revocation: /.test(e.reason)));
      await redis.restart();
      await ready(client);
      // No persistence in this test: the restarted Redis knows nothing of the revocation. That is
      // what the AOF test below is about.
      assert.ok((await sessions.read(cookie)) !== null);
    } finally {
      await redis.stop();
    }
  });

  test('with the AOF on, a SIGKILL and a restart keep every revocation, watermark and bucket', async () => {
    const redis = await startRedis({ aof: true });
    try {
      const client = await connect(redis.url);
      const store = createRedisRevocationStore({ client });
      const sessions = createSessionManager({
        secrets: 'a redis-backed secret of 32 bytes or more',
        revocation: store,
        cookie: { insecureDevelopment: true },
      });
      const a = sessions.create('alice', null);
      const b = sessions.create('bob', null);
      const c = sessions.create('bob', null);
      await sessions.destroy(a.session);
      await store.revokeUserBefore('bob', Date.now() + 1, Math.floor(Date.now() / 1000) + 3600);
      const limiter = createRateLimiter({
        name: name('aof'),
        store: createRedisRateLimitStore({ client }),
        ...slowTokens,
      });
      await limiter.take('k', 5);
      await redis.kill();
      await redis.restart();
      await ready(client);
      const cookie = (s) => s.setCookie.split(';')[0];
      assert.equal(await sessions.read(cookie(a)), null);
      assert.equal(await sessions.read(cookie(b)), null);
      assert.equal(await sessions.read(cookie(c)), null);
      assert.ok((await sessions.read(cookie(sessions.create('bob', null)))) !== null);
      assert.equal((await limiter.take('k')).allowed, false, 'the drained bucket survived too');
    } finally {
      await redis.stop();
    }
  });
});
