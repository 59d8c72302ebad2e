// The password engines through the binding (lib/passwords/engine.ts): interoperability with
// argon2, @node-rs/argon2, bcrypt and bcryptjs both ways, wrong passwords, the pool's overload
// refusals, worker_threads hashing at once, and a worker terminated with hashes pending.
// Hashes are kept small (m of a few MiB) except where a peer's defaults are the point: this
// suite runs four times in npm test; the big differential runs are in Catch2.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import argon2 from 'argon2';
import * as noders from '@node-rs/argon2';
import bcrypt from 'bcrypt';
import bcryptjs from 'bcryptjs';
import { isStartGuardError } from 'start-guard';

const require = createRequire(import.meta.url);
const enginePath = require.resolve('../../dist/cjs/passwords/engine.js');
const engine = require(enginePath);
const enc = (s) => new TextEncoder().encode(s);
const small = { variant: 'argon2id', memoryKiB: 4096, passes: 2, parallelism: 1 };
const initial = engine.hashPoolStats();
after(() => engine.configureHashPool(initial));

test('Argon2id strings from start-guard verify in argon2 and @node-rs/argon2; wrong passwords fail', async () => {
  for (const options of [small, { variant: 'argon2id', memoryKiB: 19456, passes: 2, parallelism: 1 }]) {
    const h = await engine.argon2Hash(enc('correct horse ✓'), options);
    assert.match(
      h,
      new RegExp(
        `^\\$argon2id\\$v=19\\$m=${options.memoryKiB},t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$`,
      ),
    );
    assert.equal(await argon2.verify(h, 'correct horse ✓'), true);
    assert.equal(await noders.verify(h, 'correct horse ✓'), true);
    assert.equal(await argon2.verify(h, 'correct horse ✗'), false);
    assert.equal(await noders.verify(h, 'correct horse ✗'), false);
    assert.equal(await engine.argon2Verify(h, enc('correct horse ✓'), null), true);
    assert.equal(await engine.argon2Verify(h, enc('correct horse ✗'), null), false);
  }
});

test("argon2's and @node-rs/argon2's strings verify in start-guard (any order, variant, version, p)", async () => {
  const pw = 'hunter2 hunter2';
  const strings = [
    await argon2.hash(pw), // its defaults: m=65536,p=4,t=3 (p before t)
    await argon2.hash(pw, { type: argon2.argon2i, memoryCost: 2048, timeCost: 3, parallelism: 2 }),
    await argon2.hash(pw, {
      type: argon2.argon2d,
      memoryCost: 2048,
      timeCost: 2,
      parallelism: 1,
      version: 0x10,
    }),
    await noders.hash(pw),
    await noders.hash(pw, {
      algorithm: noders.Algorithm.Argon2i,
      memoryCost: 2048,
      timeCost: 3,
      parallelism: 2,
    }),
    await noders.hash(pw, {
      algorithm: noders.Algorithm.Argon2d,
      version: noders.Version.V0x10,
      memoryCost: 1024,
      timeCost: 1,
    }),
  ];
  assert.match(strings[0], /m=65536,p=4,t=3/);
  for (const h of strings) {
    assert.equal(await engine.argon2Verify(h, enc(pw), null), true, h);
    assert.equal(await engine.argon2Verify(h, enc(pw + '!'), null), false, h);
  }
  // The version-0x10 form without v= (as the reference library once wrote it).
  const noV = strings[2].replace('$v=16', '');
  assert.equal(engine.argon2Parse(noV).version, 16);
  assert.equal(await engine.argon2Verify(noV, enc(pw), null), true);
});

test('a pepper (Argon2 secret) and associated data interoperate with the peers', async () => {
  const secret = new Uint8Array(32).fill(7);
  const h = await engine.argon2Hash(enc('pw with pepper'), { ...small, secret });
  assert.equal(await argon2.verify(h, 'pw with pepper', { secret: Buffer.from(secret) }), true);
  assert.equal(await noders.verify(h, 'pw with pepper', { secret: Buffer.from(secret) }), true);
  assert.equal(await argon2.verify(h, 'pw with pepper'), false);
  assert.equal(await engine.argon2Verify(h, enc('pw with pepper'), secret), true);
  assert.equal(await engine.argon2Verify(h, enc('pw with pepper'), null), false);
  assert.equal(await engine.argon2Verify(h, enc('pw with pepper'), new Uint8Array(32).fill(8)), false);
  const theirs = await noders.hash('pw', { secret: Buffer.from(secret), memoryCost: 2048 });
  assert.equal(await engine.argon2Verify(theirs, enc('pw'), secret), true);

  const withKey = await engine.argon2Hash(enc('pw'), {
    ...small,
    secret,
    keyid: 'pepper-2026',
    associatedData: enc('ad'),
  });
  assert.match(withKey, /^\$argon2id\$v=19\$m=4096,t=2,p=1,keyid=pepper-2026,data=YWQ\$/);
  const info = engine.argon2Parse(withKey);
  assert.deepEqual(info, {
    variant: 'argon2id',
    version: 19,
    memoryKiB: 4096,
    passes: 2,
    parallelism: 1,
    keyid: 'pepper-2026',
    saltLength: 16,
    tagLength: 32,
    associatedDataLength: 2,
  });
  assert.equal(await engine.argon2Verify(withKey, enc('pw'), secret), true);
  assert.equal(await engine.argon2Verify(withKey.replace('data=YWQ', 'data=YWR'), enc('pw'), secret), false);
});

test('hash options: given salt, salt and tag lengths, variants and version 16', async () => {
  const salt = enc('0123456789abcdef');
  const a = await engine.argon2Hash(enc('x'), { ...small, salt });
  const b = await engine.argon2Hash(enc('x'), { ...small, salt });
  assert.equal(a, b);
  const c = await engine.argon2Hash(enc('x'), {
    ...small,
    saltLength: 32,
    tagLength: 64,
    variant: 'argon2i',
    version: 16,
  });
  assert.deepEqual(
    { ...engine.argon2Parse(c), keyid: undefined },
    {
      variant: 'argon2i',
      version: 16,
      memoryKiB: 4096,
      passes: 2,
      parallelism: 1,
      keyid: undefined,
      saltLength: 32,
      tagLength: 64,
      associatedDataLength: 0,
    },
  );
  assert.equal(await argon2.verify(c, 'x'), true);
  const p4 = await engine.argon2Hash(enc('x'), { ...small, parallelism: 4 });
  assert.equal(await noders.verify(p4, 'x'), true);
});

test('every SIMD level forced in turn gives the same string', async () => {
  const { level, available } = engine.argon2Simd();
  assert.ok(available.includes('sse2'));
  assert.equal(level, available.at(-1));
  const salt = enc('saltsaltsaltsalt');
  const out = new Set();
  try {
    for (const l of available) {
      assert.equal(engine.argon2Simd(l).level, l);
      out.add(await engine.argon2Hash(enc('simd'), { ...small, salt }));
    }
  } finally {
    engine.argon2Simd(level);
  }
  assert.equal(out.size, 1);
  assert.throws(() => engine.argon2Simd('neon'), { name: 'TypeError' });
});

test('bcrypt: peers verify start-guard $2b$, start-guard verifies their $2a$/$2b$/$2y$', async () => {
  const ours = await engine.bcryptHash(enc('pässword'), 5);
  assert.match(ours, /^\$2b\$05\$[./A-Za-z0-9]{53}$/);
  assert.equal(await bcrypt.compare('pässword', ours), true);
  assert.equal(bcryptjs.compareSync('pässword', ours), true);
  assert.equal(await bcrypt.compare('password', ours), false);
  const theirs = [
    await bcrypt.hash('pässword', 5),
    bcryptjs.hashSync('pässword', 5),
    bcryptjs.hashSync('pässword', bcryptjs.genSaltSync(5).replace(/^\$2b\$/, '$2a$')),
    bcryptjs.hashSync('pässword', 5).replace(/^\$2b\$/, '$2y$'),
  ];
  assert.deepEqual(theirs.map((h) => h.slice(0, 4)).sort(), ['$2a$', '$2b$', '$2b$', '$2y$']);
  for (const h of theirs) {
    assert.equal(await engine.bcryptVerify(h, enc('pässword')), true, h);
    assert.equal(await engine.bcryptVerify(h, enc('pässwort')), false, h);
  }
  assert.deepEqual(engine.bcryptParse(theirs[3]), { prefix: '$2y$', cost: 5 });
  assert.equal(engine.bcryptParse('$2x$05$' + theirs[0].slice(7)), null);
});

test('bcrypt never truncates: over 72 bytes or a NUL is refused for hashing and does not verify', async () => {
  const pw72 = 'a'.repeat(72);
  const h = await bcrypt.hash(pw72, 4);
  assert.equal(await bcrypt.compare(pw72 + 'tail', h), true); // the peer truncates
  assert.equal(await engine.bcryptVerify(h, enc(pw72)), true);
  assert.equal(await engine.bcryptVerify(h, enc(pw72 + 'tail')), false);
  assert.throws(() => engine.bcryptHash(enc(pw72 + 'b'), 4), { name: 'RangeError' });
  assert.throws(() => engine.bcryptHash(enc('a\0b'), 4), { name: 'RangeError' });
  assert.throws(() => engine.bcryptHash(enc('a'), 3), { name: 'RangeError' });
  assert.equal(await engine.bcryptVerify(await bcrypt.hash('a', 4), enc('a\0b')), false);
});

test('malformed or over-ceiling stored strings give null / false, never a throw', async () => {
  const good = await engine.argon2Hash(enc('pw'), small);
  for (const bad of [
    '',
    '$',
    'x'.repeat(5000),
    good + '$',
    good.replace('t=2', 't=2,t=2'),
    good.replace('$v=19', '$v=20'),
    good.slice(0, -1) + '!',
    '$2b$10$x',
  ]) {
    assert.equal(engine.argon2Parse(bad), null, bad.slice(0, 80));
    assert.equal(await engine.argon2Verify(bad, enc('pw'), null), false);
  }
  assert.equal(engine.argon2Parse(good, { maxMemoryKiB: 4095 }), null);
  assert.equal(engine.argon2Parse(good, { maxPasses: 1 }), null);
  assert.equal(await engine.argon2Verify(good, enc('pw'), null, { maxMemoryKiB: 4095 }), false);
  assert.equal(await engine.argon2Verify(good, enc('pw'), null, { maxMemoryKiB: 4096 }), true);
  const absurd = '$argon2id$v=19$m=4294967295,t=4294967295,p=16777215$c29tZXNhbHQ$' + 'A'.repeat(43);
  assert.equal(await engine.argon2Verify(absurd, enc('pw'), null), false);
  assert.equal(engine.bcryptParse('nope'), null);
  assert.equal(await engine.bcryptVerify('nope', enc('pw')), false);
});

test('programmer errors at the binding are TypeError/RangeError naming the argument', () => {
  assert.throws(() => engine.argon2Hash('pw', small), { name: 'TypeError', message: /"password"/ });
  assert.throws(() => engine.argon2Hash(enc('pw'), { ...small, variant: 'argon2x' }), {
    name: 'TypeError',
    message: /variant/,
  });
  assert.throws(() => engine.argon2Hash(enc('pw'), { ...small, memoryKiB: 7 }), {
    name: 'RangeError',
    message: /memoryKiB/,
  });
  assert.throws(() => engine.argon2Hash(enc('pw'), { ...small, passes: 0 }), {
    name: 'RangeError',
    message: /passes/,
  });
  assert.throws(() => engine.argon2Hash(enc('pw'), { ...small, salt: enc('short') }), {
    name: 'RangeError',
    message: /salt/,
  });
  assert.throws(() => engine.argon2Hash(enc('pw'), { ...small, version: 17 }), {
    name: 'RangeError',
    message: /version/,
  });
  assert.throws(() => engine.argon2Hash(enc('pw'), { ...small, keyid: 'a b' }), {
    name: 'TypeError',
    message: /keyid/,
  });
  assert.throws(() => engine.argon2Hash(enc('pw'), { variant: 'argon2id' }), { name: 'TypeError' });
  assert.throws(() => engine.argon2Verify(42, enc('pw'), null), { name: 'TypeError', message: /"hash"/ });
  assert.throws(() => engine.argon2Verify('$argon2id$', enc('pw'), 'secret'), {
    name: 'TypeError',
    message: /"secret"/,
  });
  assert.throws(() => engine.configureHashPool({ threads: 0 }), { name: 'RangeError', message: /threads/ });
});

// Runs `burst` while the single pool thread is busy with a slow hash, so what is admitted does not
// depend on how fast the thread drains the queue. A burst that outlasts the slow hash (a very
// loaded machine) is retried, at most three times.
async function whileBusy(burst) {
  for (let attempt = 1; ; attempt++) {
    const slow = engine.argon2Hash(enc('slow'), { ...small, passes: 60 });
    while (engine.hashPoolStats().running === 0) await new Promise((r) => setImmediate(r));
    const settled = await Promise.allSettled(burst());
    const slowStillRunning = engine.hashPoolStats().running === 1;
    await slow;
    if (slowStillRunning || attempt === 3) return settled;
  }
}

test('over the queue or the memory budget, hashes are refused at once with ERR_HASH_OVERLOADED (503)', async (t) => {
  t.after(() => engine.configureHashPool(initial));
  engine.configureHashPool({ threads: 1, maxQueue: 2, memoryBudgetKiB: 1 << 20, arenaKiB: 4096 });
  const results = await whileBusy(() =>
    Array.from({ length: 8 }, () => engine.argon2Hash(enc('flood'), small)),
  );
  const refused = results.filter((r) => r.status === 'rejected');
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled', ...Array(6).fill('rejected')],
  );
  for (const r of refused) {
    assert.ok(isStartGuardError(r.reason, 'ERR_HASH_OVERLOADED'), String(r.reason));
    assert.equal(r.reason.status, 503);
    assert.match(r.reason.stack, /password-engines\.test\.mjs/); // the caller's stack
  }
  // Memory: a budget of 10 MiB holds the busy thread's 4 MiB arena + one waiting 4 MiB job.
  engine.configureHashPool({ threads: 1, maxQueue: 100, memoryBudgetKiB: 10240, arenaKiB: 4096 });
  const byMemory = await whileBusy(() => Array.from({ length: 3 }, () => engine.argon2Hash(enc('m'), small)));
  assert.deepEqual(
    byMemory.map((r) => r.status),
    ['fulfilled', 'rejected', 'rejected'],
  );
  assert.ok(isStartGuardError(byMemory[2].reason, 'ERR_HASH_OVERLOADED'));
  // A hash bigger than the whole budget can never be admitted.
  await assert.rejects(engine.argon2Hash(enc('m'), { ...small, memoryKiB: 19456 }), {
    code: 'ERR_HASH_OVERLOADED',
  });
  const s = engine.hashPoolStats();
  assert.deepEqual(
    [s.threads, s.threadsAlive, s.running, s.queued, s.arenaKiBHeld, s.memoryInUseKiB],
    [1, 1, 0, 0, 4096, 4096],
  );
  engine.configureHashPool(initial);
  assert.equal(engine.hashPoolStats().threadsAlive, initial.threads);
});

const workerSource = (path) => `
  const { parentPort, workerData } = require('node:worker_threads');
  const engine = require(${JSON.stringify(path)});
  const enc = (s) => new TextEncoder().encode(s);
  (async () => {
    const out = [];
    for (let i = 0; i < workerData.n; i++) {
      const pw = enc('worker ' + workerData.id + ' #' + i);
      const h = await engine.argon2Hash(pw, { variant: 'argon2id', memoryKiB: 2048, passes: 1, parallelism: 1 });
      out.push([h, await engine.argon2Verify(h, pw, null), await engine.argon2Verify(h, enc('nope'), null)]);
    }
    parentPort.postMessage(out);
  })();
`;

test('several worker_threads and the main thread hash at once, each getting its own results', async () => {
  const workers = [1, 2, 3].map(
    (id) => new Worker(workerSource(enginePath), { eval: true, workerData: { id, n: 4 } }),
  );
  const mine = Promise.all(Array.from({ length: 4 }, (_, i) => engine.argon2Hash(enc(`main #${i}`), small)));
  const results = await Promise.all(
    workers.map((w) => new Promise((res, rej) => (w.once('message', res), w.once('error', rej)))),
  );
  for (const [id, out] of results.entries()) {
    assert.equal(out.length, 4);
    for (const [i, [h, ok, wrong]] of out.entries()) {
      assert.equal(ok, true);
      assert.equal(wrong, false);
      assert.equal(await argon2.verify(h, `worker ${id + 1} #${i}`), true);
    }
  }
  for (const [i, h] of (await mine).entries())
    assert.equal(await engine.argon2Verify(h, enc(`main #${i}`), null), true);
  await Promise.all(workers.map((w) => w.terminate()));
});

test('a worker terminated with hashes pending neither crashes nor leaks pool capacity', async (t) => {
  t.after(() => engine.configureHashPool(initial));
  // A budget above all three rounds' jobs (admission counts each waiting job at its m): on a slow
  // machine a dead worker's jobs may still wait behind running hashes when the next round starts,
  // and this test is about termination, not admission.
  engine.configureHashPool({ threads: 2, maxQueue: 256, memoryBudgetKiB: 4 << 20, arenaKiB: 19456 });
  for (let round = 0; round < 3; round++) {
    const w = new Worker(
      `const engine = require(${JSON.stringify(enginePath)});
       const { parentPort } = require('node:worker_threads');
       for (let i = 0; i < 40; i++) engine.argon2Hash(new Uint8Array(8), { variant: 'argon2id', memoryKiB: 19456, passes: 2, parallelism: 1 });
       parentPort.postMessage(engine.hashPoolStats().queued);`,
      { eval: true },
    );
    const queued = await new Promise((res) => w.once('message', res));
    assert.ok(queued > 30, `queued ${queued}`);
    assert.equal(await w.terminate(), 1);
  }
  // The dead workers' queued jobs are skipped, not hashed: the pool drains fast and is whole.
  const t0 = Date.now();
  while (engine.hashPoolStats().queued + engine.hashPoolStats().running > 0) {
    assert.ok(Date.now() - t0 < 10000, 'pool did not drain');
    await new Promise((r) => setTimeout(r, 10));
  }
  const s = engine.hashPoolStats();
  assert.equal(s.memoryInUseKiB, s.arenaKiBHeld);
  assert.ok(s.arenaKiBHeld <= 2 * 19456);
  const h = await engine.argon2Hash(enc('after'), small);
  assert.equal(await engine.argon2Verify(h, enc('after'), null), true);
  engine.configureHashPool(initial);
});

test('a pending hash keeps the process alive until it resolves; an idle pool does not', () => {
  const script = `
    const engine = require(${JSON.stringify(enginePath)});
    engine.argon2Hash(new Uint8Array(4), { variant: 'argon2id', memoryKiB: 19456, passes: 2, parallelism: 1 })
      .then((h) => console.log(h.slice(0, 10)));`;
  const t0 = Date.now();
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20000 });
  assert.equal(out.trim(), '$argon2id$');
  assert.ok(Date.now() - t0 < 15000);
  // process.exit with hashes running and queued: a clean exit, no crash at static destruction.
  const exitScript = `
    const engine = require(${JSON.stringify(enginePath)});
    for (let i = 0; i < 20; i++) engine.argon2Hash(new Uint8Array(4), { variant: 'argon2id', memoryKiB: 19456, passes: 2, parallelism: 1 });
    setTimeout(() => process.exit(7), 15);`;
  assert.throws(
    () => execFileSync(process.execPath, ['-e', exitScript], { timeout: 20000, stdio: 'pipe' }),
    (e) => e.status === 7 && e.signal === null,
  );
});

test('without libcrypt on the system, the addon still loads and hashes Argon2; bcrypt says what to install', (t) => {
  // A private mount namespace in which libcrypt.so.1 is an empty file (needs root; skipped,
  // saying so, where it cannot be done).
  const lib = execFileSync(
    'sh',
    ['-c', 'readlink -f "$(ldconfig -p | awk \'/libcrypt.so.1 .*x86-64/ {print $NF; exit}\')"'],
    {
      encoding: 'utf8',
    },
  ).trim();
  const script = `
    const e = require(${JSON.stringify(enginePath)});
    const pw = new TextEncoder().encode('pw');
    let bcrypt = 'no error';
    try { e.bcryptHash(pw, 4); } catch (err) { bcrypt = err.code + ' ' + /libcrypt1/.test(err.message) + ' ' + /libxcrypt/.test(err.message); }
    e.argon2Hash(pw, { variant: 'argon2id', memoryKiB: 1024, passes: 1, parallelism: 1 })
      .then((h) => console.log(bcrypt, h.slice(0, 10)));`;
  let out;
  try {
    out = execFileSync(
      'unshare',
      [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        `mount --bind /dev/null "$0" && exec "$1" -e "$2"`,
        lib,
        process.execPath,
        script,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (err) {
    if (/unshare|mount|permission/i.test(String(err.stderr)))
      return t.skip(`cannot hide libcrypt here: ${String(err.stderr).trim()}`);
    throw err;
  }
  assert.equal(out.trim(), 'ERR_NATIVE_LOAD true true $argon2id$');
});
