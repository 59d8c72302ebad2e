// The link's watchdog (lib/redis/client.ts): one timer per link rather than one per call. Every
// call still rejects at its own deadline, however the calls in flight interleave, and the timer
// never keeps a process alive.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { isStartGuardError } from 'start-guard';
import { createRedisRateLimitStore, createRedisRevocationStore } from 'start-guard/redis';
import { connect, ready } from './support/clients.mjs';
import { startRedis } from './support/redis-server.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const redis = await startRedis();
after(() => redis.stop());
const client = await connect(redis.url);

const TIMEOUT_MS = 150;
// What a timer may run late on a loaded, shared 2-core machine.
const SLACK_MS = 400;
const params = { name: `link-${process.pid}`, capacity: 5, refillPerSecond: 1 };

test('calls started at different moments on a hung Redis each reject at their own deadline', async () => {
  const store = createRedisRateLimitStore({ client, timeoutMs: TIMEOUT_MS });
  const revocation = createRedisRevocationStore({ client, timeoutMs: TIMEOUT_MS * 2 });
  assert.equal((await store.take('k', 1, params)).allowed, true);
  redis.pause();
  try {
    // Started 0, 50, 100… ms apart: each deadline is later than the one the timer was set for,
    // and the revocation store's calls (on their own link) have a longer timeout.
    const started = [];
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      const call =
        i % 3 === 2
          ? revocation.revoke(`sid-${i}`, Math.floor(Date.now() / 1000) + 60)
          : store.take(`k${i}`, 1, params);
      started.push(
        call.then(
          () => ({ i, ok: true }),
          (error) => ({
            i,
            error,
            ms: performance.now() - t0,
            limit: i % 3 === 2 ? TIMEOUT_MS * 2 : TIMEOUT_MS,
          }),
        ),
      );
      await sleep(50);
    }
    for (const r of await Promise.all(started)) {
      assert.ok(isStartGuardError(r.error, 'ERR_STORE_UNAVAILABLE'), `call ${r.i}: ${r.error}`);
      assert.match(r.error.message, /\(timeout\)/);
      assert.ok(r.ms >= r.limit - 5 && r.ms <= r.limit + SLACK_MS, `call ${r.i}: ${r.ms} ms`);
    }
  } finally {
    redis.resume();
  }
  await ready(client);
  // The link answers again once Redis does (the replies that came after their deadline were dropped).
  assert.equal(typeof (await store.peek('k', 1, params)).remaining, 'number');
});

test('a wall clock stepping back (NTP, a VM resumed) does not stretch a call on a hung Redis', async () => {
  const store = createRedisRateLimitStore({ client, timeoutMs: TIMEOUT_MS });
  const revocation = createRedisRevocationStore({ client, timeoutMs: TIMEOUT_MS });
  const s = { id: 'wall', userId: 'u', createdAtMs: Date.now() };
  assert.equal(await revocation.isRevoked(s), false);
  const realNow = Date.now;
  let shift = 0;
  Date.now = () => realNow() + shift;
  redis.pause();
  try {
    const t0 = performance.now();
    const timed = (p) =>
      p.then(
        () => ({ ms: performance.now() - t0 }),
        (error) => ({ error, ms: performance.now() - t0 }),
      );
    // isRevoked has no limiter's timer around it: the link's deadline is all there is.
    const calls = [timed(revocation.isRevoked(s)), timed(store.take('wall', 1, params))];
    shift = -5000; // the wall clock steps back 5 s while both wait
    for (const r of await Promise.all(calls)) {
      assert.ok(isStartGuardError(r.error, 'ERR_STORE_UNAVAILABLE'), String(r.error));
      assert.ok(r.ms <= TIMEOUT_MS + SLACK_MS, `answered after ${Math.round(r.ms)} ms`);
    }
  } finally {
    Date.now = realNow;
    redis.resume();
  }
  await ready(client);
});

test('takes a hung Redis never read are dropped at their deadline, not applied when it wakes up', async () => {
  // Its own server: paused for the whole flood. Long names make big commands, so the socket's
  // buffers fill after a few thousand; the rest wait in node-redis's queue, unsent.
  const own = await startRedis();
  const c = createClient({ url: own.url });
  c.on('error', () => {});
  await c.connect();
  try {
    const store = createRedisRateLimitStore({ client: c, timeoutMs: TIMEOUT_MS, prefix: 'p'.repeat(200) });
    // Reads after the wake-up wait behind what Redis works through: their own, patient store.
    const reader = createRedisRateLimitStore({ client: c, timeoutMs: 30_000, prefix: 'p'.repeat(200) });
    const flood = { name: 'n'.repeat(200), capacity: 1e9, refillPerSecond: 1 };
    const left = async () => (await reader.peek('k', 1, flood)).remaining;
    await store.take('k', 1, flood);
    own.pause();
    let sent = 0;
    const answers = [];
    for (let batch = 0; batch < 20; batch++) {
      for (let i = 0; i < 2000; i++, sent++)
        answers.push(
          store.take('k', 1, flood).then(
            () => 'taken',
            (e) => e,
          ),
        );
      await new Promise(setImmediate); // node-redis writes what the socket takes
    }
    const settled = await Promise.all(answers);
    assert.ok(
      settled.every((e) => isStartGuardError(e, 'ERR_STORE_UNAVAILABLE')),
      'every take timed out',
    );
    own.resume();
    await ready(c);
    // Redis works through what its socket held, then the bucket stays as it is.
    let before = -1;
    let now = await left();
    while (now !== before) {
      await sleep(200);
      before = now;
      now = await left();
    }
    // Tokens taken by the flood (the bucket refills one a second while the test runs).
    const applied = 1e9 - 1 - now;
    assert.ok(applied > 0, 'some takes had reached the socket');
    assert.ok(applied < sent / 2, `${applied} of ${sent} takes were applied after the wake-up`);
  } finally {
    own.resume();
    await c.close().catch(() => {});
    await own.stop();
  }
});

test('a call answered before its deadline leaves no timer that holds the process', async () => {
  // timeoutMs of 30 s: a watchdog that kept the event loop alive would hold the exit that long.
  const source = `
    import { createClient } from 'redis';
    import { createRateLimiter } from 'start-guard';
    import { createRedisRateLimitStore } from 'start-guard/redis';
    const client = createClient({ url: ${JSON.stringify(redis.url)} });
    await client.connect();
    const store = createRedisRateLimitStore({ client, timeoutMs: 30000 });
    const limiter = createRateLimiter({ name: 'exit-${process.pid}', store, capacity: 5, refillPerSecond: 1 });
    const r = await limiter.take('k');
    if (!r.allowed) process.exitCode = 3;
    await store.close();
    await client.close();
  `;
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
    cwd: root,
    stdio: 'inherit',
  });
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  assert.ok(performance.now() - t0 < 10_000, `exited after ${performance.now() - t0} ms`);
});
