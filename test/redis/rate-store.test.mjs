// createRedisRateLimitStore on a real redis-server: the store contract, the same arithmetic as the
// reference bucket to the nanosecond, key layout and expiry, NOSCRIPT recovery, options.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createRateLimiter, isStartGuardError, loginLimits } from 'start-guard';
import { createRedisRateLimitStore } from 'start-guard/redis';
import { createMemoryRateStore } from '../js/support/memory-rate-store.mjs';
import { rateStoreContract } from '../js/support/rate-store-contract.mjs';
import { connect } from './support/clients.mjs';
import { startRedis } from './support/redis-server.mjs';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../..', import.meta.url));
const { RATE_SCRIPT } = require(`${root}/dist/cjs/redis/rate-script.js`);

const redis = await startRedis();
after(() => redis.stop());
const client = await connect(redis.url);

let unique = 0;
const name = () => `redis-rate-${process.pid}-${++unique}`;

rateStoreContract('redis', async () => {
  const store = createRedisRateLimitStore({ client });
  return { store, close: () => store.close() };
});

describe('the script', () => {
  // The production script reads Redis TIME; this copy reads the time from ARGV instead, so the
  // Redis arithmetic can be compared with the reference bucket (BigInt nanoseconds) at any instant.
  // Its keys do not expire (Redis would expire them on its real clock); the expiry has its own test.
  const atTime = RATE_SCRIPT.replace("redis.call('TIME')", '{ ARGV[5], ARGV[6] }').replace(
    ", 'PX', ms)",
    ')',
  );

  test('the copy differs from the script only in its clock and expiry', () => {
    assert.equal(atTime.includes('TIME') || atTime.includes("'PX'"), false);
    assert.equal(RATE_SCRIPT.split('\n').length, atTime.split('\n').length);
  });

  function interval(refill) {
    const exact = 1e9 / refill;
    let i = Math.round(exact);
    if (i - exact === 0.5 && i % 2 !== 0) i -= 1;
    return i;
  }

  // A small deterministic generator: the same cases on every run.
  let seed = 0x2545f491;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };

  test('answers exactly as the reference bucket, over random takes, peeks and refunds', async () => {
    const cases = [
      [3, 1],
      [10, 1 / 3],
      [5, 5 / 60],
      [100, 7],
      [1, 0.001],
      [1_000_000, 1_000_000],
      [1_000_000_000, 1_000_000],
      [20, 3],
      [60, 1 / 86400], // 60 a day: a burst of 60 days, still under 2^53 ns
    ];
    let checked = 0;
    for (const [capacity, refill] of cases) {
      let nowNs = 1_800_000_000_000_000_000n + BigInt(Math.floor(rand() * 1e9)) * 1000n;
      const ref = createMemoryRateStore({ now: () => nowNs });
      const params = { name: `exact-${capacity}-${refill}`, capacity, refillPerSecond: refill };
      const key = `{exact}:${name()}`;
      const i = interval(refill);
      const burst = BigInt(capacity) * BigInt(i);
      for (let step = 0; step < 150; step++) {
        // Advance by up to a couple of emission intervals, in whole microseconds (Redis TIME).
        nowNs += (BigInt(Math.floor(rand() * 2.2 * i)) / 1000n) * 1000n;
        const s = nowNs / 1_000_000_000n;
        const us = (nowNs % 1_000_000_000n) / 1000n;
        const cost = 1 + Math.floor(rand() * Math.min(capacity, 4));
        const op = ['take', 'take', 'take', 'peek', 'refund'][Math.floor(rand() * 5)];
        const reply = await client.sendCommand([
          'EVAL',
          atTime,
          '1',
          key,
          op,
          String(cost),
          String(i),
          burst.toString(),
          String(s),
          String(us),
        ]);
        const expected = await ref[op]('k', cost, params);
        if (op === 'refund') {
          assert.equal(reply, 0);
        } else {
          const got = { allowed: reply[0] === 1, remaining: reply[1], retryAfterMs: reply[2] };
          assert.deepEqual(got, expected, `${capacity}/${refill} step ${step} ${op} ${cost}`);
          checked++;
        }
      }
      await client.del(key);
    }
    assert.ok(checked > 800, String(checked));
  });

  test('the bucket is one key holding its TAT in nanoseconds, expiring when the bucket is full again', async () => {
    const store = createRedisRateLimitStore({ client, prefix: 'layout:' });
    const l = createRateLimiter({ name: 'login', store, capacity: 4, refillPerSecond: 2 });
    await l.take('alice@example.com', 3);
    const keys = await client.keys('layout:*');
    assert.equal(keys.length, 1);
    // The key holds a digest, never the e-mail.
    assert.match(keys[0], /^layout:rl:login:[A-Za-z0-9_-]{22}$/);
    assert.ok(!keys[0].includes('alice'));
    const [[s, us]] = [await client.time()].map((t) => [BigInt(t[0]), BigInt(t[1])]);
    const tat = BigInt(await client.get(keys[0]));
    const owedMs = Number((tat - (s * 1_000_000_000n + us * 1000n)) / 1_000_000n);
    // Three tokens at 500 ms each are owed: the bucket is full again in ~1500 ms, and so expires.
    assert.ok(owedMs > 1300 && owedMs <= 1500, String(owedMs));
    const ttl = await client.pTTL(keys[0]);
    assert.ok(ttl > 1300 && ttl <= 1500, String(ttl));
    // A refund of everything owed deletes the key; a reset deletes it too.
    await l.refund('alice@example.com', 4);
    assert.equal((await client.keys('layout:*')).length, 0);
    await l.take('alice@example.com');
    await l.reset('alice@example.com');
    assert.equal((await client.keys('layout:*')).length, 0);
    // A peek or a refused take writes nothing.
    await l.peek('bob');
    assert.equal((await client.keys('layout:*')).length, 0);
  });

  test('after SCRIPT FLUSH (a restart, a failover) the NOSCRIPT reply is answered by loading it again', async () => {
    const store = createRedisRateLimitStore({ client });
    const l = createRateLimiter({ name: name(), store, capacity: 2, refillPerSecond: 0.01 });
    assert.equal((await l.take('k')).remaining, 1);
    await client.scriptFlush();
    assert.deepEqual(await l.take('k'), { allowed: true, remaining: 0, retryAfterMs: 0 });
    assert.equal((await l.take('k')).allowed, false);
  });
});

describe('options and errors', () => {
  test('wrong options are TypeErrors/RangeErrors naming them', () => {
    assert.throws(() => createRedisRateLimitStore(), { code: 'ERR_INVALID_ARG_TYPE', message: /"options"/ });
    assert.throws(() => createRedisRateLimitStore({}), { message: /"options.client".*node-redis/ });
    // ioredis, or any other object, is refused with the reason.
    assert.throws(() => createRedisRateLimitStore({ client: { status: 'ready', evalsha() {} } }), {
      message: /"options.client"/,
    });
    assert.throws(() => createRedisRateLimitStore({ client, timeoutMs: 0 }), { code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => createRedisRateLimitStore({ client, timeoutMs: '5' }), {
      code: 'ERR_INVALID_ARG_TYPE',
    });
    assert.throws(() => createRedisRateLimitStore({ client, onUnavailable: 'open' }), {
      message: /"options.onUnavailable"/,
    });
    assert.throws(() => createRedisRateLimitStore({ client, prefix: 5 }), { message: /"options.prefix"/ });
    assert.throws(() => createRedisRateLimitStore({ client, onEvent: 'log' }), {
      message: /"options.onEvent"/,
    });
    assert.equal(createRedisRateLimitStore({ client }).onUnavailable, 'local');
    assert.equal(createRedisRateLimitStore({ client, onUnavailable: 'deny' }).onUnavailable, 'deny');
  });

  test('a wrong type at the bucket key is an error reply for the caller, not an outage', async () => {
    const store = createRedisRateLimitStore({ client, prefix: 'wrongtype:' });
    const l = createRateLimiter({ name: 'n', store, capacity: 2, refillPerSecond: 1 });
    await l.take('k');
    const [key] = await client.keys('wrongtype:*');
    await client.del(key);
    await client.lPush(key, 'x');
    await assert.rejects(l.take('k'), (e) => /WRONGTYPE/.test(e.message) && !isStartGuardError(e));
    await client.del(key);
  });

  test('after close() calls reject with ERR_STORE_UNAVAILABLE (the limiter applies its policy)', async () => {
    const store = createRedisRateLimitStore({ client, onUnavailable: 'deny' });
    await store.close();
    await assert.rejects(
      store.take('k', 1, { name: 'x', capacity: 1, refillPerSecond: 1 }),
      (e) => isStartGuardError(e, 'ERR_STORE_UNAVAILABLE') && e.status === 503,
    );
    const l = createRateLimiter({ name: name(), store, capacity: 1, refillPerSecond: 1 });
    assert.deepEqual(await l.take('k'), { allowed: false, remaining: 0, retryAfterMs: 1000 });
  });
});

test('loginLimits on the Redis store: two instances count one account’s failures together', async () => {
  const prefix = `login-${process.pid}:`;
  // Two app instances: each its own limits object, one Redis.
  const [one, two] = [0, 1].map(() =>
    loginLimits({
      perClient: { capacity: 3, refillPerSecond: 0.001 },
      perAccount: { capacity: 100, refillPerSecond: 0.001 },
      store: createRedisRateLimitStore({ client, prefix }),
    }),
  );
  const from = { ip: '203.0.113.9', limitKey: '203.0.113.9' };
  assert.equal((await one.check('Alice@Example.com', from)).allowed, true);
  assert.equal((await two.check('alice@example.com', from)).allowed, true);
  const success = await one.check('alice@example.com', from);
  assert.equal(success.allowed, true);
  await success.succeeded(); // a success gives its tokens back, in Redis
  assert.equal((await two.check('alice@example.com', from)).allowed, true);
  assert.equal(
    (await one.check('alice@example.com', from)).allowed,
    false,
    'the third failure, across instances',
  );
  assert.ok((await client.keys(`${prefix}*`)).every((k) => !k.includes('alice')));
});
