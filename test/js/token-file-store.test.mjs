// The file token store across processes: tokens survive a restart and a SIGKILL mid-write, any
// process may issue, exactly one of several processes (or worker threads) consuming a token at
// the same moment wins, a torn tail is cut, compaction never brings a consumed token back, and a
// lock held too long is ERR_STORE_UNAVAILABLE rather than a wait without end.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { createFileTokenStore, createSingleUseTokens } from 'start-guard';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'start-guard-token-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => join(dir, `store-${++files}`, 'tokens');

/** The prelude of every child: the store on `file`, the tokens over it, and `out` for JSON lines. */
const prelude = (file, storeOptions = {}) => `
  const sg = require(${JSON.stringify(root)});
  const store = sg.createFileTokenStore({ path: ${JSON.stringify(file)}, ...${JSON.stringify(storeOptions)} });
  const tokens = sg.createSingleUseTokens({ store });
  const out = (v) => console.log(JSON.stringify(v));
  const until = (t) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));`;

async function inChild(file, body, storeOptions) {
  const source = `${prelude(file, storeOptions)}
    (async () => { ${body} })().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`;
  const { stdout } = await run(process.execPath, ['-e', source]);
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('file token store across processes', () => {
  test('a token issued in one process is consumed in a fresh one, once', async () => {
    const file = freshFile();
    const [{ token }] = await inChild(file, `out(await tokens.issue('u1', { purpose: 'reset' }));`);
    const [first, second] = await inChild(
      file,
      `out(await tokens.consume(${JSON.stringify(token)}, { purpose: 'reset' }));
       out(await tokens.consume(${JSON.stringify(token)}, { purpose: 'reset' }));`,
    );
    assert.equal(first.userId, 'u1');
    assert.equal(second, null);
    const [third] = await inChild(
      file,
      `out(await tokens.consume(${JSON.stringify(token)}, { purpose: 'reset' }));`,
    );
    assert.equal(third, null, 'the consumption is durable too');
    assert.equal(statSync(join(file, '..')).mode & 0o777, 0o700);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  test('four processes consume the same tokens at the same moments: exactly one wins each', async () => {
    const file = freshFile();
    const store = createFileTokenStore({ path: file });
    const tokens = createSingleUseTokens({ store });
    const issued = [];
    for (let i = 0; i < 8; i++) issued.push((await tokens.issue(`user-${i}`, { purpose: 'reset' })).token);
    await store.close();
    // Every child starts each consumption at the same wall-clock instant (a barrier), after the
    // processes have started and opened the store.
    const start = Date.now() + 1500;
    const body = `
      const list = ${JSON.stringify(issued)};
      for (let i = 0; i < list.length; i++) {
        await until(${start} + i * 100);
        out({ i, won: (await tokens.consume(list[i], { purpose: 'reset' })) !== null });
      }`;
    const results = await Promise.all(Array.from({ length: 4 }, () => inChild(file, body)));
    for (let i = 0; i < issued.length; i++) {
      const winners = results.filter((lines) => lines.find((l) => l.i === i).won).length;
      assert.equal(winners, 1, `token ${i}: ${winners} winners`);
    }
  });

  test('two worker threads consuming at once: exactly one wins', async () => {
    const file = freshFile();
    const store = createFileTokenStore({ path: file });
    const tokens = createSingleUseTokens({ store });
    const issued = [];
    for (let i = 0; i < 5; i++) issued.push((await tokens.issue('w', { purpose: 'verify' })).token);
    const start = Date.now() + 800;
    const source = `
      const { parentPort } = require('node:worker_threads');
      ${prelude(file)}
      (async () => {
        const won = [];
        for (let i = 0; i < ${issued.length}; i++) {
          await until(${start} + i * 50);
          won.push((await tokens.consume(${JSON.stringify(issued)}[i], { purpose: 'verify' })) !== null);
        }
        await store.close();
        parentPort.postMessage(won);
      })();`;
    const results = await Promise.all(
      [0, 1].map(() => {
        const w = new Worker(source, { eval: true });
        return once(w, 'message').then(([m]) => m);
      }),
    );
    for (let i = 0; i < issued.length; i++) assert.equal(results[0][i] + results[1][i], 1, `token ${i}`);
    await store.close();
  });

  test('processes issuing at the same time lose nothing: every token redeems once', async () => {
    const file = freshFile();
    const start = Date.now() + 1200;
    const body = `await until(${start});
      const list = await Promise.all(Array.from({ length: 25 }, (_, i) => tokens.issue('p' + process.pid + '-' + i, { purpose: 'reset' })));
      out(list.map((t) => t.token));`;
    const batches = await Promise.all([0, 1, 2].map(() => inChild(file, body)));
    const all = batches.flatMap(([list]) => list);
    assert.equal(all.length, 75);
    const store = createFileTokenStore({ path: file });
    const tokens = createSingleUseTokens({ store });
    for (const token of all) assert.ok(await tokens.consume(token, { purpose: 'reset' }), token.slice(0, 22));
    for (const token of all.slice(0, 5))
      assert.equal(await tokens.consume(token, { purpose: 'reset' }), null);
    await store.close();
  });

  test('SIGKILL mid-write: every token whose issue() resolved survives, and the file stays usable', async () => {
    const file = freshFile();
    const child = spawn(
      process.execPath,
      [
        '-e',
        `${prelude(file)} (async () => { for (let i = 0; ; i++) out((await tokens.issue('k' + i, { purpose: 'reset' })).token); })();`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const acknowledged = [];
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const l of lines) acknowledged.push(JSON.parse(l));
      if (acknowledged.length >= 40) child.kill('SIGKILL');
    });
    await once(child, 'exit');
    assert.ok(acknowledged.length >= 40);
    const store = createFileTokenStore({ path: file });
    const tokens = createSingleUseTokens({ store });
    for (const token of acknowledged)
      assert.ok(await tokens.consume(token, { purpose: 'reset' }), token.slice(0, 22));
    // And the next writer appends on a clean line.
    const { token } = await tokens.issue('after', { purpose: 'reset' });
    await store.close();
    const [res] = await inChild(
      file,
      `out(await tokens.check(${JSON.stringify(token)}, { purpose: 'reset' }));`,
    );
    assert.equal(res.userId, 'after');
  });

  test('a torn last record is ignored and cut by the next writer', async () => {
    const file = freshFile();
    const [a, b] = await inChild(
      file,
      `out((await tokens.issue('a', { purpose: 'reset' })).token); out((await tokens.issue('b', { purpose: 'reset' })).token);`,
    );
    truncateSync(file, statSync(file).size - 7); // b's record loses its end and its newline
    const [checkA, checkB] = await inChild(
      file,
      `out(await tokens.check(${JSON.stringify(a)}, { purpose: 'reset' }));
       out(await tokens.check(${JSON.stringify(b)}, { purpose: 'reset' }));
       await tokens.issue('c', { purpose: 'reset' });`,
    );
    assert.equal(checkA.userId, 'a');
    assert.equal(checkB, null);
    const lines = readFileSync(file, 'utf8').split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 2);
    for (const line of lines)
      assert.match(line, /^[0-9a-f]{8} \["i","[A-Za-z0-9_-]{22}","[ac]","reset","[A-Za-z0-9_-]{43}",\d+\]$/);
  });

  test('compaction drops consumed and expired tokens; a following process never sees a consumed one again', async () => {
    const file = freshFile();
    const opts = { compactMinBytes: 4096 };
    let skewMs = 0;
    const store = createFileTokenStore({ path: file, nowMs: () => Date.now() + skewMs, ...opts });
    const tokens = createSingleUseTokens({ store, nowMs: () => Date.now() + skewMs });
    const keep = (await tokens.issue('keep', { purpose: 'verify' })).token;
    const gone = (await tokens.issue('gone', { purpose: 'verify' })).token;
    // A reader process that has loaded both, and answers checks on stdin.
    const reader = spawn(
      process.execPath,
      [
        '-e',
        `${prelude(file, opts)}
        require('node:readline').createInterface({ input: process.stdin }).on('line', async (t) =>
          out((await tokens.check(t, { purpose: 'verify' }))?.userId ?? null));`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const answers = createInterface({ input: reader.stdout });
    const ask = async (t) => {
      reader.stdin.write(`${t}\n`);
      const [line] = await once(answers, 'line');
      return JSON.parse(line);
    };
    try {
      assert.equal(await ask(gone), 'gone');
      assert.ok(await tokens.consume(gone, { purpose: 'verify' }));
      for (let i = 0; i < 30; i++) await tokens.issue(`short-${i}`, { purpose: 'reset', ttlSeconds: 60 });
      const inode = statSync(file).ino;
      skewMs = 120_000; // the short ones have expired for the writer
      for (let i = 0; i < 60 && statSync(file).ino === inode; i++) {
        const t = (await tokens.issue(`filler-${i}`, { purpose: 'reset', ttlSeconds: 60 })).token;
        await tokens.consume(t, { purpose: 'reset' });
      }
      assert.notEqual(statSync(file).ino, inode, 'the log was compacted (replaced)');
      const text = readFileSync(file, 'utf8');
      // Expired and consumed records are gone (a filler issued in the compacting batch may remain,
      // followed by its removal).
      assert.doesNotMatch(text, /short-|"gone"/);
      assert.ok(text.split('\n').length < 8, text);
      assert.match(text, /"keep"/);
      assert.equal(await ask(gone), null, 'the reader reloaded the new file: the consumed token stays gone');
      assert.equal(await ask(keep), 'keep');
      assert.ok(await tokens.consume(keep, { purpose: 'verify' }));
      assert.equal(await ask(keep), null);
    } finally {
      reader.kill();
      await store.close();
    }
  });

  test('a lock held past lockTimeoutMs is ERR_STORE_UNAVAILABLE (and an event); released, writes go on', async () => {
    const file = freshFile();
    const events = [];
    const store = createFileTokenStore({ path: file, lockTimeoutMs: 300, onEvent: (e) => events.push(e) });
    const tokens = createSingleUseTokens({ store });
    await tokens.issue('first', { purpose: 'reset' }); // creates the lock file
    // Another process takes the lock and keeps it until told to stop.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const b = require(${JSON.stringify(join(root, 'prebuilds/linux-x64/start_guard.node'))});
        const fd = require('node:fs').openSync(${JSON.stringify(`${file}.lock`)}, 'r+');
        console.log(b.flockExclusive(fd)); process.stdin.once('data', () => process.exit(0));`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const [ready] = await once(holder.stdout, 'data');
    assert.equal(String(ready).trim(), 'true');
    const t0 = Date.now();
    await assert.rejects(tokens.issue('blocked', { purpose: 'reset' }), (e) => {
      assert.equal(e.code, 'ERR_STORE_UNAVAILABLE');
      assert.match(e.message, /locked for over 300 ms/);
      return true;
    });
    assert.ok(Date.now() - t0 >= 290);
    assert.deepEqual(
      events.map((e) => [e.type, e.reason]),
      [['store.unavailable', 'locked']],
    );
    const pending = tokens.issue('waits', { purpose: 'reset' });
    holder.stdin.write('go\n');
    await once(holder, 'exit');
    assert.ok((await pending).token);
    await store.close();
  });
});
