// A rate limiter over a store: the contract (run here on the reference store; the Redis store
// runs the same suite), and the outage policies the limiter applies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StartGuardError, createRateLimiter, isStartGuardError, loginLimits } from 'start-guard';
import { createMemoryRateStore } from './support/memory-rate-store.mjs';
import { rateStoreContract } from './support/rate-store-contract.mjs';

rateStoreContract('reference memory store', async () => ({ store: createMemoryRateStore() }));

let unique = 0;
const name = () => `store-test-${process.pid}-${++unique}`;

describe('with a store', () => {
  test('every call reaches the store with the key as given and the bucket params', async () => {
    const store = createMemoryRateStore();
    const l = createRateLimiter({ name: 'api-with-store', store, capacity: 4, refillPerSecond: 2 });
    await l.take('203.0.113.7', 2);
    await l.peek('203.0.113.7');
    await l.refund('203.0.113.7');
    await l.reset('203.0.113.7');
    const params = { name: 'api-with-store', capacity: 4, refillPerSecond: 2 };
    assert.deepEqual(store.calls, [
      ['take', '203.0.113.7', 2, params],
      ['peek', '203.0.113.7', 1, params],
      ['refund', '203.0.113.7', 1, params],
      ['reset', '203.0.113.7', params],
    ]);
    assert.ok(Object.isFrozen(store.calls[0][3]), 'params cannot be changed by a store');
  });

  test('takeSync is a TypeError; a store needs a name; arguments are checked before the store', async () => {
    const store = createMemoryRateStore();
    const l = createRateLimiter({ name: name(), store, capacity: 2, refillPerSecond: 1 });
    assert.throws(() => l.takeSync('k'), { name: 'TypeError', message: /store/ });
    assert.throws(
      () => createRateLimiter({ store, capacity: 2, refillPerSecond: 1 }),
      (e) => isStartGuardError(e, 'ERR_INVALID_OPTION') && /name/.test(e.message),
    );
    assert.throws(
      () =>
        createRateLimiter({
          name: name(),
          store: { ...store, onUnavailable: 'open' },
          capacity: 2,
          refillPerSecond: 1,
        }),
      (e) => isStartGuardError(e, 'ERR_INVALID_OPTION'),
    );
    await assert.rejects(l.take('k', 3), { name: 'RangeError' });
    await assert.rejects(l.take(7), { name: 'TypeError' });
    assert.equal(store.calls.length, 0);
  });

  test("'local' (the default): an outage is answered by the in-process table, limits still hold", async () => {
    const events = [];
    const store = createMemoryRateStore();
    const l = createRateLimiter({
      name: name(),
      store,
      capacity: 2,
      refillPerSecond: 0.01,
      onEvent: (e) => events.push(e),
    });
    store.state.down = true;
    assert.deepEqual(await l.take('k'), { allowed: true, remaining: 1, retryAfterMs: 0 });
    assert.deepEqual(await l.peek('k'), { allowed: true, remaining: 0, retryAfterMs: 0 });
    assert.equal((await l.take('k')).allowed, true);
    const refused = await l.take('k');
    assert.equal(refused.allowed, false, 'not a pass for everyone');
    assert.ok(refused.retryAfterMs > 90_000);
    await l.refund('k');
    assert.equal((await l.take('k')).allowed, true, 'refunds land in the fallback table too');
    const notices = events.filter((e) => e.type === 'store.unavailable');
    assert.equal(notices.length, 1, 'one notice per 10 s');
    assert.equal(notices[0].reason, 'local');
    assert.equal(notices[0].limiter, l.name);
    // Back up: the store answers again (its own bucket for the key is untouched).
    store.state.down = false;
    assert.deepEqual(await l.take('k'), { allowed: true, remaining: 1, retryAfterMs: 0 });
  });

  test("'allow' lets requests through and 'deny' refuses them while the store is down", async () => {
    const allow = createMemoryRateStore({ onUnavailable: 'allow' });
    const deny = createMemoryRateStore({ onUnavailable: 'deny' });
    allow.state.down = deny.state.down = true;
    const a = createRateLimiter({ name: name(), store: allow, capacity: 1, refillPerSecond: 0.01 });
    const d = createRateLimiter({ name: name(), store: deny, capacity: 1, refillPerSecond: 0.01 });
    for (let i = 0; i < 3; i++)
      assert.deepEqual(await a.take('k'), { allowed: true, remaining: 0, retryAfterMs: 0 });
    assert.deepEqual(await d.take('k'), { allowed: false, remaining: 0, retryAfterMs: 1000 });
    assert.deepEqual(await d.peek('k'), { allowed: false, remaining: 0, retryAfterMs: 1000 });
    // A refund follows a successful sign-in: an outage never fails it.
    await d.refund('k');
    await a.refund('k');
    // A reset that did not happen is not hidden.
    await assert.rejects(d.reset('k'), (e) => isStartGuardError(e, 'ERR_STORE_UNAVAILABLE'));
  });

  for (const policy of ['local', 'allow']) {
    test(`'${policy}': a refund of a take answered during an outage never reaches the store (it took nothing)`, async () => {
      const store = createMemoryRateStore({ onUnavailable: policy });
      const l = createRateLimiter({ name: name(), store, capacity: 10, refillPerSecond: 0.001 });
      for (let i = 0; i < 6; i++) assert.equal((await l.take('k')).allowed, true);
      store.state.down = true;
      const during = [];
      for (let i = 0; i < 4; i++) during.push(await l.take('k'));
      store.state.down = false;
      // The store is back; the four takes it never saw are given back with their answers.
      for (const taken of during) await l.refund('k', 1, taken);
      // peek answers as a take would: four left, three after it.
      assert.equal((await l.peek('k')).remaining, 3, 'the store still owes the six it took');
      assert.equal(store.calls.filter((c) => c[0] === 'refund').length, 0);
      // A take the store answered is refunded to the store.
      const up = await l.take('k');
      await l.refund('k', 1, up);
      assert.equal((await l.peek('k')).remaining, 3);
      if (policy === 'local') {
        // The fallback table got its four back: with the store down again, ten are there.
        store.state.down = true;
        for (let i = 0; i < 10; i++) assert.equal((await l.take('k')).allowed, true);
        assert.equal((await l.take('k')).allowed, false);
      }
    });

    test(`'${policy}': loginLimits' succeeded() after an outage gives back to where each bucket was taken`, async () => {
      const store = createMemoryRateStore({ onUnavailable: policy });
      const l = loginLimits({
        store,
        name: name(),
        perClientTotal: { capacity: 100, refillPerSecond: 0.001 },
      });
      const ip = '192.0.2.7';
      for (let i = 0; i < 60; i++) await l.check(`victim${i}@example.com`, ip);
      store.state.down = true;
      const pending = [];
      for (let i = 0; i < 40; i++) pending.push(await l.check('me@example.com', ip));
      store.state.down = false;
      for (const a of pending) if (a.allowed) await a.succeeded();
      assert.equal((await l.perClientTotal.peek(ip)).remaining, 39, 'the 60 failures still count');
    });
  }

  test('other store errors reach the caller as they are', async () => {
    const store = createMemoryRateStore();
    const bug = new TypeError('a bug in the store');
    store.take = async () => {
      throw bug;
    };
    store.peek = async () => {
      throw new StartGuardError('ERR_FORBIDDEN', 'not an outage');
    };
    const l = createRateLimiter({ name: name(), store, capacity: 1, refillPerSecond: 1 });
    await assert.rejects(l.take('k'), (e) => e === bug);
    await assert.rejects(l.peek('k'), (e) => isStartGuardError(e, 'ERR_FORBIDDEN'));
  });

  test('a store refusal emits ratelimit.blocked', async () => {
    const events = [];
    const store = createMemoryRateStore();
    const l = createRateLimiter({
      name: name(),
      store,
      capacity: 1,
      refillPerSecond: 0.01,
      onEvent: (e) => events.push(e),
    });
    await l.take('k');
    await l.take('k');
    assert.deepEqual(
      events.map((e) => e.type),
      ['ratelimit.blocked'],
    );
  });
});

describe('what a store answers is checked', () => {
  // A store that answers garbage is a store that cannot answer: the outage policy applies, and
  // nothing it said passes through ('false' is truthy).
  const garbage = [
    { allowed: 'false', remaining: 0, retryAfterMs: 0 },
    { allowed: 1, remaining: 0, retryAfterMs: 0 },
    { allowed: true, remaining: NaN, retryAfterMs: 0 },
    { allowed: true, remaining: -1, retryAfterMs: 0 },
    { allowed: false, remaining: 0, retryAfterMs: Infinity },
    { allowed: false, remaining: 0, retryAfterMs: '1000' },
    { allowed: true },
    null,
    undefined,
    'allowed',
  ];

  test("a garbage answer is ERR_STORE_UNAVAILABLE: 'deny' refuses, 'local' answers from the table", async () => {
    for (const answer of garbage) {
      const events = [];
      const deny = createMemoryRateStore({ onUnavailable: 'deny' });
      deny.take = deny.peek = async () => answer;
      const d = createRateLimiter({
        name: name(),
        store: deny,
        capacity: 2,
        refillPerSecond: 0.01,
        onEvent: (e) => events.push(e),
      });
      const label = JSON.stringify(answer) ?? String(answer);
      assert.deepEqual(await d.take('k'), { allowed: false, remaining: 0, retryAfterMs: 1000 }, label);
      assert.deepEqual(await d.peek('k'), { allowed: false, remaining: 0, retryAfterMs: 1000 }, label);
      assert.deepEqual(
        events.map((e) => [e.type, e.reason]),
        [['store.unavailable', 'deny']],
        label,
      );
      const local = createMemoryRateStore();
      local.take = async () => answer;
      const l = createRateLimiter({ name: name(), store: local, capacity: 2, refillPerSecond: 0.01 });
      assert.deepEqual(await l.take('k'), { allowed: true, remaining: 1, retryAfterMs: 0 }, label);
      assert.deepEqual(await l.take('k'), { allowed: true, remaining: 0, retryAfterMs: 0 }, label);
      assert.equal((await l.take('k')).allowed, false, label);
    }
  });

  test('a good answer is passed on as its three fields only', async () => {
    const store = createMemoryRateStore();
    store.take = async () => ({ allowed: false, remaining: 2, retryAfterMs: 30, extra: 'x' });
    const l = createRateLimiter({ name: name(), store, capacity: 5, refillPerSecond: 1 });
    assert.deepEqual(await l.take('k'), { allowed: false, remaining: 2, retryAfterMs: 30 });
  });
});

describe('a store that never answers', () => {
  const hang = (store) => {
    const never = () => new Promise(() => {});
    store.take = store.peek = store.refund = store.reset = never;
    return store;
  };

  test('gives up after its timeoutMs and 250 ms more: the outage policy answers', async () => {
    const events = [];
    const store = hang(createMemoryRateStore({ onUnavailable: 'deny' }));
    store.timeoutMs = 50;
    const l = createRateLimiter({
      name: name(),
      store,
      capacity: 2,
      refillPerSecond: 1,
      onEvent: (e) => events.push(e),
    });
    const started = performance.now();
    assert.deepEqual(await l.take('k'), { allowed: false, remaining: 0, retryAfterMs: 1000 });
    const waited = performance.now() - started;
    assert.ok(waited >= 290 && waited < 5000, String(waited));
    assert.deepEqual(await l.peek('k'), { allowed: false, remaining: 0, retryAfterMs: 1000 });
    await l.refund('k'); // never fails for an outage
    await assert.rejects(l.reset('k'), (e) => isStartGuardError(e, 'ERR_STORE_UNAVAILABLE'));
    assert.deepEqual(
      events.map((e) => e.type),
      ['store.unavailable'],
    );
  });

  test('without timeoutMs, after 1000 ms; a late answer is dropped', async () => {
    const store = createMemoryRateStore({ onUnavailable: 'allow' });
    let late;
    store.take = () =>
      new Promise((resolve) => {
        late = () => resolve({ allowed: false, remaining: 0, retryAfterMs: 5 });
      });
    const l = createRateLimiter({ name: name(), store, capacity: 2, refillPerSecond: 1 });
    const started = performance.now();
    assert.deepEqual(await l.take('k'), { allowed: true, remaining: 1, retryAfterMs: 0 });
    const waited = performance.now() - started;
    assert.ok(waited >= 990 && waited < 10_000, String(waited));
    late();
  });

  test('timeoutMs must be a positive number of milliseconds', () => {
    for (const timeoutMs of [0, -1, NaN, '50', 1e9]) {
      const store = createMemoryRateStore();
      store.timeoutMs = timeoutMs;
      assert.throws(
        () => createRateLimiter({ name: name(), store, capacity: 1, refillPerSecond: 1 }),
        (e) => isStartGuardError(e, 'ERR_INVALID_OPTION') && /timeoutMs/.test(e.message),
        String(timeoutMs),
      );
    }
  });
});
