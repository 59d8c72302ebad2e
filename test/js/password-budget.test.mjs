// The process-wide memory budget against the hashers that share it (review of issue 9, D1 and
// D2): a stored hash the budget cannot hold verifies as false (after the dummy) with an event,
// never a 503 on every try; a hasher whose budget would break another hasher (or whose m the
// budget in force cannot hold) is refused at construction, changing nothing, in any order and
// from any worker_thread; the default functions reject rather than throw. The budget only goes
// down for the life of a process, so each case runs in a child process of its own.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { promisify } from 'node:util';

const require = createRequire(import.meta.url);
const INDEX = JSON.stringify(require.resolve('../../dist/cjs/index.js'));
const ENGINE = JSON.stringify(require.resolve('../../dist/cjs/passwords/engine.js'));

/** Runs `body` (CommonJS, async, with sg, engine and out) in a fresh node; returns `out`. */
async function child(body) {
  const script = `
    const sg = require(${INDEX});
    const engine = require(${ENGINE});
    const out = {};
    const code = (p) => p.then((v) => v, (e) => e.code ?? String(e));
    const sync = (f) => { try { f(); return 'ok'; } catch (e) { return e.code ?? String(e); } };
    (async () => { ${body} })().then(
      () => process.stdout.write(JSON.stringify(out)),
      (e) => { console.error(e); process.exit(1); },
    );`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { timeout: 60_000 });
  return JSON.parse(stdout);
}

test('D1: a stored hash the budget cannot hold verifies as false after the dummy, with an event', async () => {
  const out = await child(`
    const events = [];
    const enc = (s) => new TextEncoder().encode(s);
    // node-argon2's default m (64 MiB) and p, imported; a hasher whose budget is 32 MiB.
    const imported = await engine.argon2Hash(enc('correct horse'), { variant: 'argon2id', memoryKiB: 65536, passes: 1, parallelism: 4 });
    const h = sg.createPasswordHasher({ memoryBudgetMiB: 32, onEvent: (e) => events.push([e.type, e.reason]) });
    out.unknown = await code(h.verify(null, 'correct horse'));
    out.wrong = await code(h.verify(imported, 'wrong password'));
    out.right = await code(h.verify(imported, 'correct horse'));
    out.rehash = await code(h.verifyAndRehash(imported, 'correct horse'));
    out.needsRehash = h.needsRehash(imported);
    out.events = events;
    // An explicit ceiling over the budget is refused at construction.
    out.ceilingOverOwnBudget = sync(() => sg.createPasswordHasher({ memoryBudgetMiB: 32, argon2Ceilings: { m: 65536 } }));
    out.ceilingOverBudgetInForce = sync(() => sg.createPasswordHasher({ argon2Ceilings: { m: 65536 } }));
    out.ceilingWithinBudget = sync(() => sg.createPasswordHasher({ argon2Ceilings: { m: 32768 } }));
    out.budgetKiB = engine.hashPoolStats().memoryBudgetKiB;
  `);
  assert.deepEqual(out, {
    unknown: false,
    wrong: false,
    right: false,
    rehash: { valid: false },
    needsRehash: true,
    events: [['hash.unusable', 'memory']],
    ceilingOverOwnBudget: 'ERR_INVALID_OPTION',
    ceilingOverBudgetInForce: 'ERR_INVALID_OPTION',
    ceilingWithinBudget: 'ok',
    budgetKiB: 32 * 1024,
  });
});

test('D1: a budget lowered after construction makes larger stored hashes unusable, not 503s', async () => {
  const out = await child(`
    const events = [];
    const a = sg.createPasswordHasher({ argon2: { m: 8192, t: 1 }, onEvent: (e) => events.push([e.type, e.reason]) });
    const enc = (s) => new TextEncoder().encode(s);
    const stored = await engine.argon2Hash(enc('correct horse'), { variant: 'argon2id', memoryKiB: 40960, passes: 1, parallelism: 1 });
    out.before = await code(a.verify(stored, 'correct horse'));
    sg.createPasswordHasher({ argon2: { m: 8192, t: 1 }, memoryBudgetMiB: 32 }); // holds a's m
    out.after = await code(a.verify(stored, 'correct horse'));
    out.afterWrong = await code(a.verify(stored, 'nope nope'));
    out.own = await code(a.hash('a fine password').then((s) => a.verify(s, 'a fine password')));
    out.events = events;
  `);
  assert.deepEqual(out, {
    before: true,
    after: false,
    afterWrong: false,
    own: true,
    events: [['hash.unusable', 'memory']],
  });
});

test("D2: a hasher whose budget cannot hold an earlier hasher's m is refused, and changes nothing", async () => {
  const out = await child(`
    const a = sg.createPasswordHasher(); // m = 19456 KiB
    const stored = await a.hash('correct horse battery');
    out.b = sync(() => sg.createPasswordHasher({ argon2: { m: 8192 }, memoryBudgetMiB: 16 }));
    const s = engine.hashPoolStats();
    out.pool = [s.memoryBudgetKiB, s.arenaKiB];
    out.aVerify = await code(a.verify(stored, 'correct horse battery'));
    out.aNull = await code(a.verify(null, 'correct horse battery'));
    out.aHash = await code(a.hash('another password').then((x) => x.slice(0, 30)));
    out.defaults = await code(sg.hashPassword('another password').then((x) => x.slice(0, 30)));
    // A budget that holds every hasher's m is taken.
    out.b2 = sync(() => sg.createPasswordHasher({ argon2: { m: 8192 }, memoryBudgetMiB: 20 }));
    out.budgetKiB = engine.hashPoolStats().memoryBudgetKiB;
  `);
  assert.deepEqual(out, {
    b: 'ERR_INVALID_OPTION',
    pool: [512 * 1024, 19456],
    aVerify: true,
    aNull: false,
    aHash: '$argon2id$v=19$m=19456,t=2,p=1',
    defaults: '$argon2id$v=19$m=19456,t=2,p=1',
    b2: 'ok',
    budgetKiB: 20 * 1024,
  });
});

test('D2: the other order: a hasher whose m the budget in force cannot hold is refused; the default functions reject', async () => {
  const out = await child(`
    const b = sg.createPasswordHasher({ argon2: { m: 8192 }, memoryBudgetMiB: 16 });
    out.c = sync(() => sg.createPasswordHasher({ memoryBudgetMiB: 64 })); // m = 19456 > 16 MiB in force
    out.arenaKiB = engine.hashPoolStats().arenaKiB;
    out.bHash = await code(b.hash('a fine password').then((x) => x.slice(0, 29)));
    out.bNull = await code(b.verify(null, 'a guess'));
    // The default hasher cannot be made: every async default function rejects, none throws.
    for (const [name, f] of [['hashPassword', () => sg.hashPassword('a fine password')],
      ['verifyPassword', () => sg.verifyPassword(null, 'a guess')],
      ['verifyAndRehash', () => sg.verifyAndRehash(null, 'a guess')]]) {
      let p;
      try { p = f(); } catch (e) { out[name] = 'threw synchronously ' + e.code; continue; }
      out[name] = await code(p);
    }
  `);
  assert.deepEqual(out, {
    c: 'ERR_INVALID_OPTION',
    arenaKiB: 19456, // the pool default, not grown by the refused hasher (8192 asked by b)
    bHash: '$argon2id$v=19$m=8192,t=2,p=1',
    bNull: false,
    hashPassword: 'ERR_INVALID_OPTION',
    verifyPassword: 'ERR_INVALID_OPTION',
    verifyAndRehash: 'ERR_INVALID_OPTION',
  });
});

test("D2: across worker_threads: a worker cannot break the main thread's hasher", async () => {
  const out = await child(`
    const { Worker } = require('node:worker_threads');
    const a = sg.createPasswordHasher({ argon2: { m: 12288, t: 1 } });
    const stored = await a.hash('correct horse battery');
    const w = new Worker(\`
      const sg = require(${INDEX.replace(/"/g, "'")});
      let r;
      try { sg.createPasswordHasher({ argon2: { m: 4096 }, memoryBudgetMiB: 8 }); r = 'ok'; } catch (e) { r = e.code; }
      require('node:worker_threads').parentPort.postMessage(r);\`, { eval: true });
    out.worker = await new Promise((res, rej) => { w.once('message', res); w.once('error', rej); });
    await w.terminate();
    out.budgetKiB = engine.hashPoolStats().memoryBudgetKiB;
    out.main = await code(a.verify(stored, 'correct horse battery'));
  `);
  assert.deepEqual(out, { worker: 'ERR_INVALID_OPTION', budgetKiB: 512 * 1024, main: true });
});

test('second review: an idle pool whose threads keep arenas still verifies a stored hash its budget holds', async () => {
  // idle-arenas.cjs: budget 64 MiB, two threads; after two sign-ins at once both keep a 19 MiB
  // arena (38 of 64 MiB), and an imported m=50000 KiB hash fits only once both are given back.
  const out = await child(`
    const events = [];
    const enc = (s) => new TextEncoder().encode(s);
    const stored = await engine.argon2Hash(enc('correct horse'), { variant: 'argon2id', memoryKiB: 50000, passes: 1, parallelism: 1 });
    const h = sg.createPasswordHasher({ memoryBudgetMiB: 64, concurrency: 2, onEvent: (e) => events.push(e.type) });
    out.cold = await code(h.verify(stored, 'correct horse'));
    await Promise.all([h.hash('password one'), h.hash('password two')]);
    const s = engine.hashPoolStats();
    out.idle = { running: s.running, arenaKiBHeld: s.arenaKiBHeld, budget: s.memoryBudgetKiB };
    out.warm = [];
    for (let i = 0; i < 3; i++) {
      out.warm.push(await code(h.verify(stored, 'correct horse')));
      await Promise.all([h.hash('password one'), h.hash('password two')]); // the arenas come back
    }
    out.wrong = await code(h.verify(stored, 'wrong password'));
    out.rehash = await code(h.verifyAndRehash(stored, 'correct horse').then((r) => r.valid && typeof r.rehash));
    const after = engine.hashPoolStats();
    out.withinBudget = after.memoryInUseKiB <= after.memoryBudgetKiB;
    out.events = events;
  `);
  assert.deepEqual(out, {
    cold: true,
    idle: { running: 0, arenaKiBHeld: 2 * 19456, budget: 64 * 1024 },
    warm: [true, true, true],
    wrong: false,
    rehash: 'string',
    withinBudget: true,
    events: [],
  });
});
