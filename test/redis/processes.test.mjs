// Several instances of an app on one Redis: separate Node processes share one limit and one
// revocation list; a process whose client has no 'error' listener of its own survives an outage.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createSessionManager } from 'start-guard';
import { createRedisRevocationStore } from 'start-guard/redis';
import { connect } from './support/clients.mjs';
import { startRedis } from './support/redis-server.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const redis = await startRedis();
after(() => redis.stop());

/**
 * Starts `body` (an async function body, ESM) in a fresh Node process with `client` connected to
 * the test's Redis and `sg`, `sgRedis` imported; resolves with the JSON it returns and its exit.
 */
function inProcess(body) {
  const source = `
    import * as sg from 'start-guard';
    import * as sgRedis from 'start-guard/redis';
    import { createClient } from 'redis';
    const client = createClient({ url: ${JSON.stringify(redis.url)} });
    client.on('error', () => {});
    await client.connect();
    // A start line: the body may wait until every process is connected and ready.
    process.stdout.write('ready\\n');
    const go = new Promise((resolve) => process.stdin.once('data', resolve));
    const out = await (async () => { ${body} })();
    process.stdout.write(JSON.stringify(out ?? null));
    await client.close().catch(() => {});
    process.exit(0);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], { cwd: root });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = once(child, 'exit');
  return {
    async ready() {
      while (!stdout.startsWith('ready\n') && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 10));
    },
    go: () => child.stdin.write('go\n'),
    async result() {
      const [code] = await exited;
      const out = stdout.slice(stdout.indexOf('\n') + 1);
      return { code, stderr, value: out ? JSON.parse(out) : undefined };
    },
  };
}

/** Runs `body` in a fresh process, started at once. */
async function runInProcess(body) {
  const p = inProcess(body);
  await p.ready();
  p.go();
  return p.result();
}

test('two processes taking at once from one bucket are allowed exactly its capacity, together', async () => {
  const name = `shared-${process.pid}`;
  const body = `
    const l = sg.createRateLimiter({
      name: ${JSON.stringify(name)},
      store: sgRedis.createRedisRateLimitStore({ client, timeoutMs: 2000 }),
      capacity: 100,
      refillPerSecond: 0.001,
    });
    let allowed = 0;
    await go;
    // 8 callers at once, 80 takes each: 640 per process, 1280 in all, for 100 tokens.
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 80; i++) if ((await l.take('one-account')).allowed) allowed++;
    }));
    return allowed;
  `;
  const processes = [inProcess(body), inProcess(body)];
  await Promise.all(processes.map((p) => p.ready()));
  for (const p of processes) p.go();
  const [a, b] = await Promise.all(processes.map((p) => p.result()));
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.ok(a.value > 0 && b.value > 0, `both took some (${a.value}, ${b.value})`);
  assert.equal(a.value + b.value, 100);
});

test('a session revoked through one process is refused by another, and so is a signed-out user', async () => {
  const secret = 'a secret shared by every instance, 32+ bytes';
  const client = await connect(redis.url);
  const sessions = createSessionManager({
    secrets: secret,
    revocation: createRedisRevocationStore({ client }),
    cookie: { insecureDevelopment: true },
  });
  const cookie = (s) => s.setCookie.split(';')[0];
  const a = sessions.create('alice', null);
  const b = sessions.create('bob', null);
  // Process 1 (this one) sees both; process 2 revokes alice's session and signs bob out everywhere.
  assert.ok(await sessions.read(cookie(a)));
  assert.ok(await sessions.read(cookie(b)));
  const other = await runInProcess(`
    const sessions = sg.createSessionManager({
      secrets: ${JSON.stringify(secret)},
      revocation: sgRedis.createRedisRevocationStore({ client }),
      cookie: { insecureDevelopment: true },
    });
    const a = await sessions.read(${JSON.stringify(cookie(a))});
    await sessions.destroy(a.session);
    const store = sgRedis.createRedisRevocationStore({ client });
    await store.revokeUserBefore('bob', Date.now(), Math.floor(Date.now() / 1000) + 3600);
    return [a.session.id, (await sessions.read(${JSON.stringify(cookie(b))})) === null];
  `);
  assert.equal(other.code, 0, other.stderr);
  assert.deepEqual(other.value, [a.session.id, true]);
  assert.equal(await sessions.read(cookie(a)), null);
  assert.equal(await sessions.read(cookie(b)), null);
  assert.ok(await sessions.read(cookie(sessions.create('bob', null))), 'a new sign-in works');
});

test("a client without an 'error' listener of its own: Redis killed under it, the process lives on", async () => {
  const dying = await startRedis();
  try {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
        import * as sg from 'start-guard';
        import * as sgRedis from 'start-guard/redis';
        import { createClient } from 'redis';
        const client = createClient({ url: ${JSON.stringify(dying.url)} }); // no 'error' listener
        await client.connect();
        const events = [];
        const l = sg.createRateLimiter({
          name: 'no-listener',
          store: sgRedis.createRedisRateLimitStore({ client, timeoutMs: 100, onEvent: (e) => events.push(e.reason) }),
          capacity: 3,
          refillPerSecond: 0.01,
        });
        await l.take('k');
        process.stdout.write('ready\\n');
        // Redis dies now: keep taking for 1.5 s while the client fails to reconnect.
        await new Promise((r) => process.stdin.once('data', r));
        const answers = [];
        const end = Date.now() + 1500;
        while (Date.now() < end) {
          answers.push((await l.take('k')).allowed);
          await new Promise((r) => setTimeout(r, 20));
        }
        process.stdout.write(JSON.stringify({ answers: answers.length, allowed: answers.filter(Boolean).length, events }));
        process.exit(0);
        `,
      ],
      { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = once(child, 'exit');
    while (!stdout.includes('ready\n')) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await dying.kill();
    child.stdin.write('go\n');
    const [code] = await exited;
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout.slice(stdout.indexOf('\n') + 1));
    // The 'local' default: the in-process table gives the 3 tokens of a fresh bucket, then refuses.
    assert.ok(result.answers > 10, JSON.stringify(result));
    assert.equal(result.allowed, 3);
    assert.ok(result.events.some((r) => /^redis rate limit: /.test(r)));
  } finally {
    await dying.stop();
  }
});
