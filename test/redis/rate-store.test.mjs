// createRedisRateLimitStore on a real redis-server: the store contract, the same arithmetic as the
// reference bucket to the nanosecond (script and reply decoding), key layout and expiry, NOSCRIPT
// recovery, options.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { RESP_TYPES } from 'redis';
import { createRateLimiter, isStartGuardError, loginLimits } from 'start-guard';
import { createRedisRateLimitStore } from 'start-guard/redis';
import { createMemoryRateStore } from '../js/support/memory-rate-store.mjs';
import { rateStoreContract } from '../js/support/rate-store-contract.mjs';
import { connect } from './support/clients.mjs';
import { startRedis } from './support/redis-server.mjs';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../..', import.meta.url));
const { RATE_SCRIPT, rateResult } = require(`${root}/dist/cjs/redis/rate-script.js`);

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
  const atTime = RATE_SCRIPT.replace("redis.call('TIME')", '{ ARGV[4], ARGV[5] }').replace(
    ", 'PX', string.format('%d', owed / 1e6 + 2))",
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
      // The script's arguments and the store's decoding, as createRedisRateLimitStore sends them.
      const bucket = { interval: i, burst: Number(BigInt(capacity) * BigInt(i)) };
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
          op[0],
          String(cost * i),
          String(bucket.burst),
          String(s),
          String(us),
        ]);
        const expected = await ref[op]('k', cost, params);
        if (op === 'refund') {
          // A refund answers what is still owed (the store ignores it).
          assert.ok(Number.isInteger(reply) && reply >= 0, String(reply));
        } else {
          const got = rateResult(reply, cost, bucket);
          assert.deepEqual(got, expected, `${capacity}/${refill} step ${step} ${op} ${cost}`);
          checked++;
        }
      }
      await client.del(key);
    }
    assert.ok(checked > 800, String(checked));
  });

  test('the reply decoding: a refusal never reports fewer than 0 tokens, and any other reply is refused', () => {
    // Past 2^53 ns the owed time read back can round a little above the burst (here 1e18 ns).
    const bucket = { interval: 1e13, burst: 1e18 };
    assert.deepEqual(rateResult(-(1e18 + 512), 1, bucket), {
      allowed: false,
      remaining: 0,
      retryAfterMs: 10_000_001,
    });
    assert.deepEqual(rateResult(3e13, 2, bucket), { allowed: true, remaining: 99_997, retryAfterMs: 0 });
    for (const reply of ['5', null, [1, 2, 3], Number.NaN, Infinity])
      assert.equal(rateResult(reply, 1, bucket), null);
  });

  // Redis TIME stepping back (an NTP step, a failover to a replica whose clock is behind), and a
  // capacity lowered under one name (a rolling deploy): the bucket read back owes more than its
  // burst. It is then a drained bucket, refilling from now, never refused for the whole step.
  describe('a bucket never owes more than its burst', () => {
    const I = 1e9; // 1 token a second
    const at = (key, op, cost, capacity, s) =>
      client.sendCommand([
        'EVAL',
        atTime,
        '1',
        key,
        op,
        String(cost * I),
        String(capacity * I),
        String(s),
        '0',
      ]);
    const result = async (key, op, s, capacity = 5) =>
      rateResult(await at(key, op, 1, capacity, s), 1, { interval: I, burst: capacity * I });
    const T = Math.floor(Date.now() / 1000);

    /** A key drained at T + 10 by a capacity-5 bucket, then read with TIME an hour behind. */
    async function drainedThenStepped() {
      const key = `{back}:${name()}`;
      for (let n = 0; n < 5; n++) assert.equal((await result(key, 't', T + 10)).allowed, true);
      return { key, back: T + 10 - 3600 };
    }

    test('a take after TIME stepped back an hour waits one emission interval, not the hour', async () => {
      const { key, back } = await drainedThenStepped();
      assert.deepEqual(await result(key, 't', back), { allowed: false, remaining: 0, retryAfterMs: 1000 });
      // Refused takes keep refusing only until the drained bucket refills, from the step.
      assert.equal((await result(key, 't', back + 0.5)).allowed, false);
      assert.deepEqual(await result(key, 't', back + 1), { allowed: true, remaining: 0, retryAfterMs: 0 });
      assert.deepEqual(await result(key, 'p', back + 60), { allowed: true, remaining: 4, retryAfterMs: 0 });
    });

    test('a peek after the step answers the same, and the bucket refills from the step', async () => {
      const { key, back } = await drainedThenStepped();
      assert.deepEqual(await result(key, 'p', back), { allowed: false, remaining: 0, retryAfterMs: 1000 });
      assert.deepEqual(await result(key, 'p', back + 3), { allowed: true, remaining: 2, retryAfterMs: 0 });
    });

    test('a refund after the step gives its token back from a drained bucket', async () => {
      const { key, back } = await drainedThenStepped();
      assert.equal(await at(key, 'r', 1, 5, back), 4 * I);
      assert.deepEqual(await result(key, 't', back), { allowed: true, remaining: 0, retryAfterMs: 0 });
    });

    test('a capacity lowered under one name (100 to 5) reads the key as drained, not 96 s behind', async () => {
      const key = `{lowered}:${name()}`;
      for (let n = 0; n < 100; n++) await at(key, 't', 1, 100, T);
      assert.deepEqual(await result(key, 't', T), { allowed: false, remaining: 0, retryAfterMs: 1000 });
      assert.deepEqual(await result(key, 't', T + 1), { allowed: true, remaining: 0, retryAfterMs: 0 });
    });
  });

  /** The bucket's TAT in nanoseconds: two little-endian doubles (a TIME second, nanoseconds past it). */
  async function tatOf(key) {
    const raw = await client.sendCommand(['GET', key], { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } });
    assert.equal(raw.length, 16);
    return BigInt(raw.readDoubleLE(0)) * 1_000_000_000n + BigInt(raw.readDoubleLE(8));
  }

  test('the bucket is one key holding its TAT, expiring when the bucket is full again', async () => {
    const store = createRedisRateLimitStore({ client, prefix: 'layout:' });
    const l = createRateLimiter({ name: 'login', store, capacity: 4, refillPerSecond: 2 });
    await l.take('alice@example.com', 3);
    const keys = await client.keys('layout:*');
    assert.equal(keys.length, 1);
    // The key holds a digest, never the e-mail.
    assert.match(keys[0], /^layout:rl:login:[A-Za-z0-9_-]{22}$/);
    assert.ok(!keys[0].includes('alice'));
    const [[s, us]] = [await client.time()].map((t) => [BigInt(t[0]), BigInt(t[1])]);
    const tat = await tatOf(keys[0]);
    const owedMs = Number((tat - (s * 1_000_000_000n + us * 1000n)) / 1_000_000n);
    // Three tokens at 500 ms each are owed: the bucket is full again in ~1500 ms, and so expires
    // (2 ms later: never before its TAT).
    assert.ok(owedMs > 1300 && owedMs <= 1500, String(owedMs));
    const ttl = await client.pTTL(keys[0]);
    assert.ok(ttl > 1300 && ttl <= 1502, String(ttl));
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

  test('keys that differ only by a lone surrogate are distinct buckets, as in the native table', async () => {
    const store = createRedisRateLimitStore({ client, prefix: 'utf16:' });
    const l = createRateLimiter({ name: 'u', store, capacity: 2, refillPerSecond: 0.01 });
    const native = createRateLimiter({ capacity: 2, refillPerSecond: 0.01 });
    // UTF-8 would make each of these U+FFFD: one bucket for all of them.
    const keys = [
      'name\uFFFD',
      'name\uD800',
      'name\uDC00',
      'name\uDBFF',
      '\uDC00\u0080',
      '\u0000\u0700\u0000',
    ];
    for (const k of keys) {
      assert.deepEqual(await l.take(k, 2), native.takeSync(k, 2), JSON.stringify(k));
      assert.equal((await l.take(k)).allowed, false);
    }
    assert.equal((await client.keys('utf16:*')).length, keys.length);
    // A well-formed key keeps the digest it had (SHA-256 of its UTF-8): existing buckets stay.
    await l.take('alice@example.com');
    const digest = createHash('sha256').update('alice@example.com').digest('base64url').slice(0, 22);
    assert.equal(await client.exists(`utf16:rl:u:${digest}`), 1);
  });

  test('a bucket key never expires before its TAT (Redis’s millisecond expiry against its TIME)', async () => {
    // Owed times with every sub-millisecond remainder: an expiry rounded to the millisecond from
    // a millisecond clock that is behind TIME would end some buckets before they are full.
    const store = createRedisRateLimitStore({ client, prefix: 'expiry:' });
    const l = createRateLimiter({ name: 'e', store, capacity: 1_000, refillPerSecond: 7.919 });
    for (let n = 0; n < 200; n++) {
      await l.take(`k${n}`, 1 + ((n * 37) % 400));
      const [key] = await client.keys(`expiry:rl:e:*`);
      const tat = await tatOf(key);
      const expiresAtMs = BigInt(await client.sendCommand(['PEXPIRETIME', key]));
      assert.ok(expiresAtMs * 1_000_000n >= tat, `take ${n}: expires at ${expiresAtMs} ms, TAT ${tat} ns`);
      await client.del(key);
    }
  });

  test('the production script clamps a TAT an hour ahead of its TIME, and writes the clamped one back', async () => {
    const store = createRedisRateLimitStore({ client, prefix: 'ahead:' });
    const l = createRateLimiter({ name: 'a', store, capacity: 3, refillPerSecond: 2 });
    for (const op of ['take', 'peek']) {
      await l.take('k');
      const [key] = await client.keys('ahead:rl:a:*');
      // The TAT as a clock an hour ahead (the primary before a failover, say) wrote it.
      const [s, us] = (await client.time()).map(Number);
      const ahead = Buffer.alloc(16);
      ahead.writeDoubleLE(s + 3600, 0);
      ahead.writeDoubleLE(us * 1000, 8);
      await client.set(key, ahead);
      const r = await l[op]('k');
      assert.equal(r.allowed, false, op);
      assert.ok(r.retryAfterMs > 0 && r.retryAfterMs <= 500, `${op}: ${r.retryAfterMs} ms`);
      const ttl = await client.pTTL(key);
      assert.ok(
        ttl > 1000 && ttl <= 1502,
        `${op}: the key expires when the drained bucket is full (${ttl} ms)`,
      );
      await client.del(key);
    }
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

  test('called directly, the store checks its arguments as the limiter does, and rejects rather than throws', async () => {
    const store = createRedisRateLimitStore({ client, prefix: 'direct:' });
    const P = { name: 'd', capacity: 3, refillPerSecond: 1 };
    const call = (method, ...args) => {
      let p;
      assert.doesNotThrow(() => (p = store[method](...args)), method);
      assert.ok(p instanceof Promise, method);
      return p;
    };
    for (const method of ['take', 'peek', 'refund']) {
      for (const cost of [-3, 0, 0.5, Number.NaN, 4, Infinity]) {
        await assert.rejects(call(method, 'k', cost, P), { code: 'ERR_OUT_OF_RANGE', message: /"cost"/ });
      }
      await assert.rejects(call(method, 'k', '1', P), { code: 'ERR_INVALID_ARG_TYPE', message: /"cost"/ });
      await assert.rejects(call(method, 42, 1, P), { code: 'ERR_INVALID_ARG_TYPE', message: /"key"/ });
      await assert.rejects(call(method, 'k', 1, { ...P, capacity: Number.NaN }), {
        code: 'ERR_OUT_OF_RANGE',
        message: /"params.capacity"/,
      });
      await assert.rejects(call(method, 'k', 1, null), { code: 'ERR_INVALID_ARG_TYPE', message: /"params"/ });
      await assert.rejects(call(method, 'k', 1, { ...P, name: 'n\uD800' }), { message: /"params.name"/ });
    }
    await assert.rejects(call('reset', 42, P), { code: 'ERR_INVALID_ARG_TYPE', message: /"key"/ });
    // Nothing reached Redis, and the bucket is intact: a full take of 3 still passes.
    assert.equal((await client.keys('direct:*')).length, 0);
    assert.deepEqual(await store.take('k', 3, P), { allowed: true, remaining: 0, retryAfterMs: 0 });
  });

  test('a second limiter of one name with other settings is refused, on any store, as in the native table', () => {
    const store = createRedisRateLimitStore({ client });
    const n = name();
    const first = createRateLimiter({ name: n, store, capacity: 100, refillPerSecond: 10 });
    // Another instance of the same limiter (a second loginLimits, a module loaded twice) is fine.
    createRateLimiter({ name: n, store, capacity: 100, refillPerSecond: 10 });
    const refused = (e) =>
      isStartGuardError(e, 'ERR_INVALID_OPTION') &&
      e.message.includes(`"${n}" already exists`) &&
      e.message.includes('capacity 100') &&
      !e.message.includes('store unavailable');
    assert.throws(() => createRateLimiter({ name: n, store, capacity: 5, refillPerSecond: 1 }), refused);
    assert.throws(() => createRateLimiter({ name: n, store, capacity: 100, refillPerSecond: 1 }), refused);
    assert.throws(
      () => createRateLimiter({ name: n, store, capacity: 100, refillPerSecond: 10, maxKeys: 10 }),
      refused,
    );
    // Per process, as the native registry: another store (another prefix) is refused as well.
    const other = createRedisRateLimitStore({ client, prefix: 'other:' });
    assert.throws(
      () => createRateLimiter({ name: n, store: other, capacity: 5, refillPerSecond: 1 }),
      refused,
    );
    // A limiter of that name without a store has buckets of its own: no conflict.
    createRateLimiter({ name: n, capacity: 5, refillPerSecond: 1 }).takeSync('k');
    assert.equal(first.name, n);
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
