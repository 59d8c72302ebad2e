// Revocation stores: the memory store's semantics, and the file store across processes (restart,
// torn and garbage tails, compaction, one writer with readers following it, durability order).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createFileRevocationStore, createMemoryRevocationStore, isStartGuardError } from 'start-guard';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'start-guard-revocation-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
const freshFile = () => join(dir, `store-${++files}`, 'revocations');
const nowS = () => Math.floor(Date.now() / 1000);
const session = (id, userId = 'u1', createdAtMs = Date.now()) => ({ id, userId, createdAtMs });

/**
 * Runs `body` in a fresh Node process with `store` opened on `file`; `body` may print with `out`.
 * Returns what it printed, parsed as JSON lines.
 */
async function inChild(file, body, { env = {} } = {}) {
  const source = `
    const sg = require(${JSON.stringify(root)});
    const store = sg.createFileRevocationStore({ path: ${JSON.stringify(file)} });
    const out = (v) => console.log(JSON.stringify(v));
    const s = (id, userId = 'u1', createdAtMs = Date.now()) => ({ id, userId, createdAtMs });
    (async () => { ${body} })().then(
      () => process.exit(0),
      (e) => { console.error(e); process.exit(1); },
    );`;
  const { stdout } = await run(process.execPath, ['-e', source], { env: { ...process.env, ...env } });
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

const lines = (file) => readFileSync(file, 'utf8').split('\n');

describe('memory store', () => {
  test('revokes by id until the entry expires', async () => {
    const S = 1_795_000_000; // a base time in 2026, epoch seconds
    let now = S * 1000;
    const store = createMemoryRevocationStore({ nowMs: () => now });
    await store.revoke('s1', S + 10); // epoch seconds
    assert.equal(await store.isRevoked(session('s1', 'u1', 0)), true);
    assert.equal(await store.isRevoked(session('s2', 'u1', 0)), false);
    now = (S + 10) * 1000; // at expiresAt: still listed
    assert.equal(await store.isRevoked(session('s1', 'u1', 0)), true);
    now = (S + 10) * 1000 + 1; // after: dropped
    assert.equal(await store.isRevoked(session('s1', 'u1', 0)), false);
  });

  test('a watermark revokes the sessions created before it, is never lowered, and expires', async () => {
    const B = 1_795_000_000_000; // a base time in 2026, epoch ms
    const S = B / 1000;
    let now = B + 5_000_000;
    const store = createMemoryRevocationStore({ nowMs: () => now });
    await store.revokeUserBefore('u1', B + 4_000_000, S + 6_000);
    assert.equal(await store.isRevoked(session('a', 'u1', B + 3_999_999)), true);
    assert.equal(await store.isRevoked(session('b', 'u1', B + 4_000_000)), false);
    assert.equal(await store.isRevoked(session('c', 'u2', B)), false);
    // A lower watermark does not lower it; its later keepUntil extends it.
    await store.revokeUserBefore('u1', B + 2_000_000, S + 7_000);
    assert.equal(await store.isRevoked(session('a', 'u1', B + 3_000_000)), true);
    await store.revokeUserBefore('u1', B + 4_500_000, S + 6_500);
    assert.equal(await store.isRevoked(session('d', 'u1', B + 4_400_000)), true);
    now = B + 6_600_000; // past the higher watermark's keepUntil, not the extended one
    assert.equal(await store.isRevoked(session('d', 'u1', B + 4_400_000)), true);
    now = B + 7_000_001;
    assert.equal(await store.isRevoked(session('d', 'u1', B + 4_400_000)), false);
  });

  test('wrong arguments are TypeError/RangeError naming them; milliseconds for seconds are refused', async () => {
    const store = createMemoryRevocationStore();
    await assert.rejects(store.revoke('', 1), { code: 'ERR_INVALID_ARG_TYPE', message: /"sessionId"/ });
    await assert.rejects(store.revoke('s', Date.now()), { code: 'ERR_OUT_OF_RANGE', message: /"expiresAt"/ });
    await assert.rejects(store.revokeUserBefore('u', Date.now(), Date.now()), { code: 'ERR_OUT_OF_RANGE' });
    // A watermark in seconds would revoke nothing (fail-open): refused.
    await assert.rejects(store.revokeUserBefore('u', Math.floor(Date.now() / 1000), 1), {
      code: 'ERR_OUT_OF_RANGE',
      message: /"atMs".*milliseconds/,
    });
    await assert.rejects(store.isRevoked({ id: 's' }), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => createMemoryRevocationStore({ nowMs: 5 }), { code: 'ERR_INVALID_ARG_TYPE' });
  });
});

describe('file store', () => {
  test('revocations survive a restart: written in one process, read in a fresh one', async () => {
    const file = freshFile();
    const exp = nowS() + 3600;
    await inChild(
      file,
      `await store.revoke('gone', ${exp}); await store.revokeUserBefore('u9', 1795000002000, ${exp});`,
    );
    const [res] = await inChild(
      file,
      `out([await store.isRevoked(s('gone')), await store.isRevoked(s('kept')),
            await store.isRevoked(s('x', 'u9', 1795000001999)), await store.isRevoked(s('y', 'u9', 1795000002000))]);`,
    );
    assert.deepEqual(res, [true, false, true, false]);
    // The directory is private to the user, the file too.
    assert.equal(statSync(join(file, '..')).mode & 0o777, 0o700);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  test('once revoke resolves, the record is in the file and a fresh process sees it', async () => {
    const file = freshFile();
    const store = createFileRevocationStore({ path: file });
    await store.revoke('durable', nowS() + 60);
    assert.match(readFileSync(file, 'utf8'), /"durable"/); // appended before the promise resolved
    const [seen] = await inChild(file, `out(await store.isRevoked(s('durable')));`);
    assert.equal(seen, true);
    await store.close();
  });

  test('a torn last record (crash mid-append) is ignored, and the next append starts cleanly', async () => {
    const file = freshFile();
    const exp = nowS() + 3600;
    await inChild(file, `for (const id of ['r1', 'r2', 'r3']) await store.revoke(id, ${exp});`);
    truncateSync(file, statSync(file).size - 5); // r3 loses its last bytes and its newline
    const [before] = await inChild(
      file,
      `out([await store.isRevoked(s('r1')), await store.isRevoked(s('r2')), await store.isRevoked(s('r3'))]);
       await store.revoke('r4', ${exp});`,
    );
    assert.deepEqual(before, [true, true, false]);
    const [afterAppend] = await inChild(
      file,
      `out(await Promise.all(['r1', 'r2', 'r3', 'r4'].map((id) => store.isRevoked(s(id)))));`,
    );
    assert.deepEqual(afterAppend, [true, true, false, true]);
    const all = lines(file);
    assert.equal(all.pop(), ''); // ends with a newline
    assert.equal(all.length, 3);
    for (const line of all) assert.match(line, /^[0-9a-f]{8} \["r","r[124]",\d+\]$/);
  });

  test('a garbage tail and garbage lines are skipped, never fatal', async () => {
    const file = freshFile();
    const exp = nowS() + 3600;
    await inChild(file, `await store.revoke('g1', ${exp});`);
    const good = readFileSync(file, 'utf8');
    appendFileSync(file, 'deadbeef ["r","forged",9999999999]\n'); // wrong checksum
    appendFileSync(file, good.replace('g1', 'g2')); // right shape, checksum of another line
    appendFileSync(file, Buffer.from([0xff, 0x00, 0x7b, 0x22, 0x0a, 0xfe, 0x41])); // binary, torn
    const store = createFileRevocationStore({ path: file });
    assert.equal(await store.isRevoked(session('g1')), true);
    assert.equal(await store.isRevoked(session('forged')), false);
    assert.equal(await store.isRevoked(session('g2')), false);
    await store.revoke('g3', exp);
    await store.close();
    const [res] = await inChild(
      file,
      `out(await Promise.all(['g1', 'g3'].map((id) => store.isRevoked(s(id)))));`,
    );
    assert.deepEqual(res, [true, true]);
    assert.match(readFileSync(file, 'latin1'), /\n[0-9a-f]{8} \["r","g3",\d+\]\n$/);
  });

  test('one store per real path per process: relative paths and symlinks give the same instance', async () => {
    const file = freshFile();
    const a = createFileRevocationStore({ path: file });
    const b = createFileRevocationStore({ path: relative(process.cwd(), file) });
    const link = join(dir, `link-${files}`);
    symlinkSync(file, link);
    const c = createFileRevocationStore({ path: link });
    assert.equal(a, b);
    assert.equal(a, c);
    await a.revoke('one', nowS() + 60);
    assert.equal(await c.isRevoked(session('one')), true);
    await a.close();
    // Closed: the next call opens a new store on the same file.
    const d = createFileRevocationStore({ path: file });
    assert.notEqual(d, a);
    assert.equal(await d.isRevoked(session('one')), true);
    await assert.rejects(a.isRevoked(session('one')), { code: 'ERR_STORE_UNAVAILABLE' });
    await d.close();
  });

  test('a second process cannot write while the first holds the lock; after close() it can', async () => {
    const file = freshFile();
    const store = createFileRevocationStore({ path: file });
    await store.revoke('first', nowS() + 60);
    const refused = await inChild(
      file,
      `const events = [];
       const st = sg.createFileRevocationStore({ path: ${JSON.stringify(file)}, onEvent: (e) => events.push(e) });
       try { await st.revoke('second', ${nowS() + 60}); out('written'); }
       catch (e) { out({ code: e.code, message: e.message, events: events.map((e) => [e.type, e.reason]) }); }
       out(await st.isRevoked(s('first')));`,
    );
    assert.equal(refused[0].code, 'ERR_STORE_UNAVAILABLE');
    assert.match(refused[0].message, /another process/);
    assert.match(refused[0].message, /Redis store/);
    assert.deepEqual(refused[0].events, [['store.unavailable', 'locked']]);
    assert.equal(refused[1], true); // reading still works
    await store.close();
    await inChild(file, `await store.revoke('second', ${nowS() + 60});`);
    const reopened = createFileRevocationStore({ path: file });
    assert.equal(await reopened.isRevoked(session('second')), true);
    await reopened.close();
  });

  test('a reading process follows the writer: new appends promptly, and compaction (a new file)', async () => {
    const file = freshFile();
    let skewMs = 0;
    const store = createFileRevocationStore({
      path: file,
      nowMs: () => Date.now() + skewMs,
      compactMinBytes: 2048,
    });
    const short = nowS() + 100;
    const long = nowS() + 10_000;
    for (let i = 0; i < 60; i++) await store.revoke(`short-${i}`, short);
    await store.revoke('long-0', long);

    // The reader polls for ids named on stdin and answers with how long it took to see each.
    const reader = spawn(
      process.execPath,
      [
        '-e',
        `const store = require(${JSON.stringify(root)}).createFileRevocationStore({ path: ${JSON.stringify(file)} });
         const s = (id) => ({ id, userId: 'u', createdAtMs: Date.now() });
         require('node:readline').createInterface({ input: process.stdin }).on('line', async (id) => {
           const start = Date.now();
           while (!(await store.isRevoked(s(id)))) {
             if (Date.now() - start > 3000) { console.log(JSON.stringify({ id, seen: false })); return; }
             await new Promise((r) => setTimeout(r, 5));
           }
           console.log(JSON.stringify({ id, seen: true, ms: Date.now() - start,
             old: await store.isRevoked(s('long-0')), short: await store.isRevoked(s('short-0')) }));
         });`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const answers = require('node:readline').createInterface({ input: reader.stdout });
    const ask = async (id) => {
      reader.stdin.write(`${id}\n`);
      const [line] = await once(answers, 'line');
      return JSON.parse(line);
    };
    try {
      const warm = ask('long-0'); // already in the file when the reader starts
      assert.equal((await warm).seen, true);
      const pending = ask('new-1');
      await new Promise((r) => setTimeout(r, 50));
      await store.revoke('new-1', long);
      const seen = await pending;
      assert.equal(seen.seen, true);
      assert.ok(seen.ms < 2000, `seen after ${seen.ms} ms`);

      // The short entries expire for the writer: appends now make it compact the log.
      const peak = statSync(file).size;
      const inode = statSync(file).ino;
      skewMs = 200_000;
      for (let i = 0; i < 100 && statSync(file).ino === inode; i++) await store.revoke(`long-${i + 1}`, long);
      assert.notEqual(statSync(file).ino, inode, 'the log was compacted (replaced)');
      const text = readFileSync(file, 'utf8');
      assert.ok(text.length < peak, `${text.length} < ${peak}`);
      assert.doesNotMatch(text, /short-/);
      assert.match(text, /"long-0"/);
      assert.match(text, /"new-1"/);
      await store.revoke('after-compaction', long);
      assert.equal(await store.isRevoked(session('new-1')), true);

      const followed = await ask('after-compaction');
      assert.equal(followed.seen, true);
      assert.equal(followed.old, true); // reloaded whole from the new file
      assert.equal(followed.short, true); // the reader's clock: still live (it keeps what it knew)
    } finally {
      reader.kill();
      await store.close();
    }
  });

  test('production needs an explicit store; otherwise the default file is used and announced once on stderr', async () => {
    const { defaultRevocationStore } = require(join(root, 'dist/cjs/revocation/default.js'));
    const saved = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      assert.throws(defaultRevocationStore, (err) => {
        assert.ok(isStartGuardError(err, 'ERR_INVALID_OPTION'));
        assert.match(err.message, /createFileRevocationStore\(\{ path/);
        return true;
      });
    } finally {
      if (saved === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = saved;
    }
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    const source = `
      const d = require(${JSON.stringify(join(root, 'dist/cjs/revocation/default.js'))});
      const a = d.defaultRevocationStore(); const b = d.defaultRevocationStore();
      a.revoke('x', ${nowS() + 60}).then(() => console.log(a === b));`;
    const { stdout, stderr } = await run(process.execPath, ['-e', source], {
      cwd,
      env: { ...process.env, NODE_ENV: '' },
    });
    // The notice goes to stderr (a warning), once; stdout carries only the app's own output.
    assert.equal(stdout, 'true\n');
    assert.equal(stderr.match(/start-guard: .*\.start-guard\/revocations/g)?.length, 1, stderr);
    assert.match(stderr, /START_GUARD_DEFAULT_STORE/);
    assert.match(readFileSync(join(cwd, '.start-guard/revocations'), 'utf8'), /"x"/);
  });

  test('in a cluster worker it warns once that several instances need the Redis store', async () => {
    const file = freshFile();
    const script = join(dir, 'cluster.cjs');
    writeFileSync(
      script,
      `const cluster = require('node:cluster');
       if (cluster.isPrimary) cluster.fork().on('exit', (code) => process.exit(code));
       else {
         const sg = require(${JSON.stringify(root)});
         sg.createFileRevocationStore({ path: ${JSON.stringify(file)} });
         sg.createFileRevocationStore({ path: ${JSON.stringify(file)} });
         setImmediate(() => process.exit(0)); // warnings are emitted on the next tick

       }`,
    );
    const { stderr } = await run(process.execPath, [script]);
    assert.equal(stderr.match(/cluster worker/g)?.length, 1, stderr);
    assert.match(stderr, /Redis store/);
  });

  test('in the browser build the store is inert until used, then ERR_SERVER_ONLY', async () => {
    const bundle = join(root, 'dist/browser/index.mjs');
    const code = readFileSync(bundle, 'utf8');
    for (const forbidden of ['node:fs', 'flockExclusive', 'fdatasync'])
      assert.ok(!code.includes(forbidden), forbidden);
    const browser = await import(bundle);
    const store = browser.createFileRevocationStore({ path: '/nonexistent/revocations' });
    await assert.rejects(store.isRevoked(session('s')), (err) =>
      browser.isStartGuardError(err, 'ERR_SERVER_ONLY'),
    );
    await assert.rejects(store.revoke('s', 1), (err) => browser.isStartGuardError(err, 'ERR_SERVER_ONLY'));
  });
});

// --- Review fixes (issue 7) ------------------------------------------------------------------

describe('both stores: closed means unavailable, and times in the wrong unit are refused', () => {
  const stores = {
    memory: () => createMemoryRevocationStore(),
    file: () => createFileRevocationStore({ path: freshFile() }),
  };
  for (const [kind, make] of Object.entries(stores)) {
    test(`${kind}: after close() every call rejects with ERR_STORE_UNAVAILABLE, never "not revoked"`, async () => {
      const store = make();
      await store.revoke('gone', nowS() + 3600);
      assert.equal(await store.isRevoked(session('gone')), true);
      await store.close();
      const unavailable = (e) => isStartGuardError(e, 'ERR_STORE_UNAVAILABLE') && e.status === 503;
      await assert.rejects(store.isRevoked(session('gone')), unavailable);
      await assert.rejects(store.revoke('other', nowS() + 3600), unavailable);
      await assert.rejects(store.revokeUserBefore('u1', Date.now(), nowS() + 3600), unavailable);
    });

    test(`${kind}: a duration or milliseconds given as an expiry is a RangeError naming the unit`, async () => {
      const store = make();
      try {
        for (const bad of [12 * 3600, 400 * 86400, 1, 0, -1, Date.now()]) {
          await assert.rejects(
            store.revoke('sid', bad),
            (e) => e.code === 'ERR_OUT_OF_RANGE' && /"expiresAt".*epoch seconds/.test(e.message),
            `revoke(sid, ${bad})`,
          );
          await assert.rejects(
            store.revokeUserBefore('u', Date.now(), bad),
            (e) => e.code === 'ERR_OUT_OF_RANGE' && /"keepUntil"/.test(e.message),
            `keepUntil ${bad}`,
          );
        }
        assert.equal(await store.isRevoked(session('sid', 'u')), false);
        // A real expiry that is already past stays accepted (that session is dead anyway).
        await store.revoke('past', nowS() - 60);
        // The right units work.
        await store.revoke('sid', nowS() + 12 * 3600);
        await store.revokeUserBefore('u', Date.now(), nowS() + 12 * 3600);
        assert.equal(await store.isRevoked(session('sid', 'x')), true);
        assert.equal(await store.isRevoked(session('s2', 'u', Date.now() - 1000)), true);
      } finally {
        await store.close();
      }
    });
  }
});
