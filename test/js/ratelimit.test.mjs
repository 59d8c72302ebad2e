// createRateLimiter in process: bucket semantics through the binding, argument errors, names
// shared across worker_threads, bounded memory under a key flood, events, and the browser build.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import * as esbuild from 'esbuild';
import { createRateLimiter, isStartGuardError } from 'start-guard';

const root = fileURLToPath(new URL('../..', import.meta.url));
let unique = 0;
const uniqueName = (label) => `test-${label}-${process.pid}-${++unique}`;

describe('buckets', () => {
  test('a full bucket gives capacity tokens, then refuses with the wait for the next', () => {
    const l = createRateLimiter({ capacity: 3, refillPerSecond: 1 });
    const t0 = performance.now();
    assert.deepEqual(l.takeSync('k'), { allowed: true, remaining: 2, retryAfterMs: 0 });
    assert.deepEqual(l.takeSync('k'), { allowed: true, remaining: 1, retryAfterMs: 0 });
    assert.deepEqual(l.takeSync('k'), { allowed: true, remaining: 0, retryAfterMs: 0 });
    const refused = l.takeSync('k');
    assert.equal(refused.allowed, false);
    assert.equal(refused.remaining, 0);
    // One token a second, the first taken `elapsed` ago: the wait is 1000 ms less that, rounded up.
    const elapsed = performance.now() - t0;
    assert.ok(
      refused.retryAfterMs >= 1000 - elapsed - 1 && refused.retryAfterMs <= 1000,
      `${refused.retryAfterMs}`,
    );
    assert.equal(l.takeSync('other').remaining, 2, 'each key has its own bucket');
  });

  test('waiting retryAfterMs is enough, and a refused take took nothing', async () => {
    const l = createRateLimiter({ capacity: 2, refillPerSecond: 20 }); // one token every 50 ms
    l.takeSync('k', 2);
    let refused = l.takeSync('k');
    for (let i = 0; i < 5; i++) refused = l.takeSync('k'); // refusals must not push it further
    assert.equal(refused.allowed, false);
    assert.ok(refused.retryAfterMs >= 1 && refused.retryAfterMs <= 50, String(refused.retryAfterMs));
    // setTimeout may fire a little early against the monotonic clock: a few ms of slack.
    await sleep(refused.retryAfterMs + 5);
    assert.equal(l.takeSync('k').allowed, true);
  });

  test('a refused take of several tokens reports the tokens there are', () => {
    const l = createRateLimiter({ capacity: 10, refillPerSecond: 2 });
    const t0 = performance.now();
    assert.equal(l.takeSync('k', 7).remaining, 3);
    const refused = l.takeSync('k', 5);
    const elapsed = performance.now() - t0;
    assert.equal(refused.allowed, false);
    // Two tokens short at 2 a second: 1000 ms after the first take (unless one came back meanwhile).
    if (elapsed < 400) assert.equal(refused.remaining, 3);
    assert.ok(
      refused.retryAfterMs >= 1000 - elapsed - 1 && refused.retryAfterMs <= 1000,
      `${refused.retryAfterMs}`,
    );
  });

  test('take, peek, refund and reset', async () => {
    const l = createRateLimiter({ capacity: 3, refillPerSecond: 0.01 });
    const taken = l.take('k', 2);
    assert.ok(taken instanceof Promise);
    assert.deepEqual(await taken, { allowed: true, remaining: 1, retryAfterMs: 0 });
    assert.deepEqual(await l.peek('k'), { allowed: true, remaining: 0, retryAfterMs: 0 });
    assert.equal((await l.peek('k')).remaining, 0, 'peek takes nothing');
    assert.equal((await l.peek('k', 2)).allowed, false);
    await l.refund('k');
    assert.equal((await l.take('k', 2)).allowed, true);
    await l.refund('k', 3);
    assert.equal((await l.peek('k', 3)).allowed, true, 'a refund never fills beyond capacity');
    l.takeSync('k', 3);
    await l.reset('k');
    assert.deepEqual(await l.take('k', 3), { allowed: true, remaining: 0, retryAfterMs: 0 });
  });

  test('keys are exact strings: lone surrogates and long keys keep their own buckets', () => {
    const l = createRateLimiter({ capacity: 1, refillPerSecond: 0.01 });
    // Through UTF-8 both would become U+FFFD and share a bucket.
    assert.equal(l.takeSync('\ud800').allowed, true);
    assert.equal(l.takeSync('\udc00').allowed, true);
    assert.equal(l.takeSync('\ud800').allowed, false);
    const long = 'a'.repeat(5000);
    assert.equal(l.takeSync(long).allowed, true);
    assert.equal(l.takeSync(`${long}b`).allowed, true);
    assert.equal(l.takeSync(long).allowed, false);
    assert.equal(l.takeSync('').allowed, true);
    assert.equal(l.takeSync('').allowed, false);
  });

  test('the longest bucket the options allow answers exactly (no overflow in the table)', () => {
    // A drained bucket takes just under 2^62 ns (146 years) to refill: another take of a full
    // bucket's worth used to add up past 2^63 ns (the sanitized addon aborted).
    const interval = Math.floor(2 ** 62 / 1e9);
    const l = createRateLimiter({ capacity: 1e9, refillPerSecond: 1e9 / interval });
    assert.equal(l.takeSync('k', 1e9).allowed, true);
    const burstMs = Math.ceil((1e9 * interval) / 1e6);
    for (const cost of [1e9, 1]) {
      const refused = l.takeSync('k', cost);
      assert.equal(refused.allowed, false);
      assert.equal(refused.remaining, 0);
      assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= burstMs, String(refused.retryAfterMs));
    }
  });
});

describe('argument errors', () => {
  const l = createRateLimiter({ capacity: 5, refillPerSecond: 1 });
  const typeError = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' };
  const rangeError = { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' };

  test('wrong key or cost types are TypeErrors; costs out of 1..capacity are RangeErrors', async () => {
    for (const key of [undefined, null, 5, {}, Symbol('k')]) {
      assert.throws(() => l.takeSync(key), typeError);
      await assert.rejects(l.take(key), typeError);
      await assert.rejects(l.peek(key), typeError);
      await assert.rejects(l.refund(key), typeError);
      await assert.rejects(l.reset(key), typeError);
    }
    for (const cost of ['2', null, 2n]) {
      assert.throws(() => l.takeSync('k', cost), typeError);
      await assert.rejects(l.take('k', cost), typeError);
    }
    // Above capacity could never pass: an error, not a bucket gone negative.
    for (const cost of [6, 0, -1, 1.5, NaN, Infinity]) {
      assert.throws(() => l.takeSync('k', cost), rangeError, String(cost));
      await assert.rejects(l.take('k', cost), rangeError);
      await assert.rejects(l.peek('k', cost), rangeError);
      await assert.rejects(l.refund('k', cost), rangeError);
    }
    assert.equal(l.takeSync('k', 5).allowed, true, 'the bucket is untouched by the errors');
  });

  test('options are checked at construction, naming the option', () => {
    const ok = { capacity: 5, refillPerSecond: 1 };
    assert.throws(() => createRateLimiter(), typeError);
    assert.throws(() => createRateLimiter({ ...ok, capacity: '5' }), {
      ...typeError,
      message: /options\.capacity/,
    });
    for (const capacity of [0, -1, 1.5, NaN, 2e9]) {
      assert.throws(() => createRateLimiter({ ...ok, capacity }), {
        ...rangeError,
        message: /options\.capacity/,
      });
    }
    assert.throws(() => createRateLimiter({ ...ok, refillPerSecond: undefined }), typeError);
    for (const refillPerSecond of [0, -1, NaN, Infinity, 2e6]) {
      assert.throws(() => createRateLimiter({ ...ok, refillPerSecond }), {
        ...rangeError,
        message: /refillPerSecond/,
      });
    }
    assert.throws(() => createRateLimiter({ capacity: 1e9, refillPerSecond: 1e-3 }), {
      ...rangeError,
      message: /146 years/,
    });
    for (const maxKeys of [0, 1.5, 2 ** 31]) {
      assert.throws(() => createRateLimiter({ ...ok, maxKeys }), { ...rangeError, message: /maxKeys/ });
    }
    assert.throws(() => createRateLimiter({ ...ok, name: '' }), typeError);
    assert.throws(() => createRateLimiter({ ...ok, onEvent: 'log' }), typeError);
    assert.throws(() => createRateLimiter({ ...ok, store: { take() {} } }), {
      ...typeError,
      message: /store/,
    });
  });
});

describe('names', () => {
  test('limiters of one name share buckets; other settings under that name are an error', () => {
    const name = uniqueName('shared');
    const a = createRateLimiter({ name, capacity: 2, refillPerSecond: 0.01 });
    const b = createRateLimiter({ name, capacity: 2, refillPerSecond: 0.01 });
    a.takeSync('k', 2);
    assert.equal(b.takeSync('k').allowed, false);
    for (const other of [
      { capacity: 3, refillPerSecond: 0.01 },
      { capacity: 2, refillPerSecond: 0.02 },
      { capacity: 2, refillPerSecond: 0.01, maxKeys: 10 },
    ]) {
      assert.throws(
        () => createRateLimiter({ name, ...other }),
        (e) =>
          isStartGuardError(e, 'ERR_INVALID_OPTION') &&
          e.message.includes(name) &&
          /capacity 2/.test(e.message),
      );
    }
    // Unnamed limiters never share.
    const c = createRateLimiter({ capacity: 2, refillPerSecond: 0.01 });
    assert.equal(c.takeSync('k').allowed, true);
  });

  test('a name that is not well-formed (a lone surrogate) is a TypeError, never a shared table', () => {
    // In UTF-8 both names would be the same U+FFFD, so the two limiters would share buckets.
    const base = uniqueName('surrogate');
    for (const name of [`${base}\ud800`, `${base}\udc00`, `\udfff${base}`]) {
      assert.throws(() => createRateLimiter({ name, capacity: 1, refillPerSecond: 0.01 }), {
        name: 'TypeError',
        message: /options\.name.*well-formed/,
      });
    }
    const paired = createRateLimiter({ name: `${base}\u{1F600}`, capacity: 1, refillPerSecond: 0.01 });
    assert.equal(paired.takeSync('k').allowed, true);
  });

  test('worker_threads share a named limiter: its tokens are handed out once across threads', async () => {
    const name = uniqueName('workers');
    const capacity = 3000;
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { createRateLimiter } = require('start-guard');
      const l = createRateLimiter({ name: workerData.name, capacity: workerData.capacity, refillPerSecond: 0.001 });
      let allowed = 0;
      for (let i = 0; i < workerData.capacity; i++) if (l.takeSync('shared-key').allowed) allowed++;
      parentPort.postMessage(allowed);`;
    const run = () =>
      new Promise((resolve, reject) => {
        const w = new Worker(source, { eval: true, workerData: { name, capacity } });
        w.once('message', resolve);
        w.once('error', reject);
      });
    const main = createRateLimiter({ name, capacity, refillPerSecond: 0.001 });
    const workers = [run(), run(), run()];
    let mine = 0;
    for (let i = 0; i < capacity; i++) {
      if (main.takeSync('shared-key').allowed) mine++;
      if (i % 100 === 0) await new Promise(setImmediate); // let the workers run alongside
    }
    const theirs = await Promise.all(workers);
    assert.equal(mine + theirs.reduce((a, b) => a + b, 0), capacity, `main ${mine}, workers ${theirs}`);
    // And a worker's view of another key is the main thread's.
    main.takeSync('seen-by-worker', capacity);
    const seen = await new Promise((resolve, reject) => {
      const w = new Worker(
        `const { parentPort, workerData } = require('node:worker_threads');
         const l = require('start-guard').createRateLimiter({ name: workerData.name, capacity: workerData.capacity, refillPerSecond: 0.001 });
         parentPort.postMessage(l.takeSync('seen-by-worker').allowed);`,
        { eval: true, workerData: { name, capacity } },
      );
      w.once('message', resolve);
      w.once('error', reject);
    });
    assert.equal(seen, false);
  });
  test('a worker terminated mid-take leaves the shared table working', async () => {
    const name = uniqueName('terminated');
    const w = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const l = require('start-guard').createRateLimiter({ name: workerData.name, capacity: 1e9, refillPerSecond: 1 });
       for (let i = 0; ; i++) {
         l.takeSync('k' + (i % 5000));
         if (i === 10000) parentPort.postMessage('running');
       }`,
      { eval: true, workerData: { name } },
    );
    await new Promise((resolve) => w.once('message', resolve)); // it has taken, and still takes
    await sleep(20);
    assert.equal(await w.terminate(), 1);
    const l = createRateLimiter({ name, capacity: 1e9, refillPerSecond: 1 });
    const r = l.takeSync('k1');
    assert.equal(r.allowed, true);
    assert.ok(r.remaining < 1e9 - 1, 'the worker took from the same bucket');
  });
});

describe('key flood', () => {
  test('a full table evicts refilled buckets, refuses new keys while all still limit, keeps limits', async () => {
    const events = [];
    const l = createRateLimiter({
      name: uniqueName('flood'),
      capacity: 100,
      refillPerSecond: 10, // a key that took one token is full again after 100 ms
      maxKeys: 1000,
      onEvent: (e) => events.push(e),
    });
    for (let i = 0; i < 1000; i++) assert.equal(l.takeSync(`flood-${i}`).allowed, true);
    l.takeSync('flood-7', 99); // drained: full again only after 10 s
    const refused = l.takeSync('newcomer');
    assert.equal(refused.allowed, false);
    assert.ok(refused.retryAfterMs >= 1 && refused.retryAfterMs <= 100, String(refused.retryAfterMs));
    for (let i = 0; i < 50; i++) l.takeSync(`more-${i}`);
    const full = events.filter((e) => e.type === 'ratelimit.full');
    assert.equal(full.length, 1, 'one notice per 10 s, not one per refusal');
    assert.equal(full[0].limiter, l.name);
    // A known key keeps answering (its limit is not forgotten).
    assert.equal(l.takeSync('flood-7').allowed, false);
    assert.equal(l.takeSync('flood-7').allowed, false);
    await sleep(refused.retryAfterMs + 20);
    // The keys that took one token have refilled: evicted to make room. flood-7 has not.
    assert.equal(l.takeSync('newcomer').allowed, true);
    // flood-7 has a token or two back; evicted, it would have a hundred.
    assert.equal(l.takeSync('flood-7', 50).allowed, false, 'a bucket still limiting is never evicted');
  });

  test('the number of keys never exceeds maxKeys, split over the table shards', () => {
    const maxKeys = 100_000;
    const l = createRateLimiter({ capacity: 1, refillPerSecond: 0.001, maxKeys });
    let allowed = 0;
    for (let i = 0; i < 2 * maxKeys; i++) if (l.takeSync(`k${i}`).allowed) allowed++;
    assert.ok(allowed <= maxKeys, String(allowed));
    // Shards fill unevenly: new keys start being refused a few percent before maxKeys.
    assert.ok(allowed > 0.95 * maxKeys, String(allowed));
  });
});

describe('events', () => {
  test('a refusal emits ratelimit.blocked with the limiter name, never the key', () => {
    const events = [];
    const name = uniqueName('events');
    const l = createRateLimiter({ name, capacity: 1, refillPerSecond: 1, onEvent: (e) => events.push(e) });
    l.takeSync('ada@example.com');
    l.takeSync('ada@example.com');
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'ratelimit.blocked');
    assert.equal(events[0].limiter, name);
    assert.ok(events[0].retryAfterMs > 0);
    assert.ok(Math.abs(events[0].at - Date.now()) < 5000);
    assert.ok(!JSON.stringify(events).includes('ada'));
  });

  test('a throwing or rejecting sink changes nothing', async () => {
    const l = createRateLimiter({
      capacity: 1,
      refillPerSecond: 1,
      onEvent: () => Promise.reject(new Error('x')),
    });
    const t = createRateLimiter({
      capacity: 1,
      refillPerSecond: 1,
      onEvent: () => {
        throw new Error('x');
      },
    });
    for (const limiter of [l, t]) {
      limiter.takeSync('k');
      assert.equal(limiter.takeSync('k').allowed, false);
    }
    await sleep(10); // an unhandled rejection would fail the run
  });
});

test('the browser build: constructing a limiter is inert, using it is ERR_SERVER_ONLY', async () => {
  const browser = `${root}/dist/browser/index.mjs`;
  const code = readFileSync(browser, 'utf8');
  for (const forbidden of ['node:', 'ipaddr', 'BlockList']) {
    assert.ok(!code.includes(forbidden), `browser build contains ${forbidden}`);
  }
  // Evaluated where there is no process, Buffer or require, as in a browser.
  const { outputFiles } = await esbuild.build({
    entryPoints: [browser],
    bundle: true,
    format: 'iife',
    globalName: 'sg',
    write: false,
    logLevel: 'silent',
  });
  const context = vm.createContext({});
  vm.runInContext(outputFiles[0].text, context);
  const result = vm.runInContext(
    `(() => {
      const l = sg.createRateLimiter({ name: 'api', capacity: 5, refillPerSecond: 1 });
      const limits = sg.loginLimits();
      const codes = [];
      try { l.takeSync('k'); } catch (e) { codes.push(e.code); }
      try { sg.clientAddress({ remoteAddress: '1.2.3.4' }); } catch (e) { codes.push(e.code); }
      return { name: l.name, capacity: l.capacity, codes, hasCheck: typeof limits.check };
    })()`,
    context,
  );
  assert.deepEqual(JSON.parse(JSON.stringify(result)), {
    name: 'api',
    capacity: 5,
    codes: ['ERR_SERVER_ONLY', 'ERR_SERVER_ONLY'],
    hasCheck: 'function',
  });
  await assert.rejects(
    vm.runInContext(`sg.loginLimits().check('ada', '1.2.3.4')`, context),
    (e) => e.code === 'ERR_SERVER_ONLY',
  );
});
