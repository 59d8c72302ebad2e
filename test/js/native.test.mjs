import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const loadedBinaries = () => Object.keys(require.cache).filter((k) => k.endsWith('.node'));

test('importing start-guard does not load the binding; the first server call loads it once', async () => {
  const sg = await import('start-guard');
  assert.deepEqual(loadedBinaries(), []);
  const info = sg.runtimeInfo();
  assert.match(info.sodium, /^1\.0\.\d+$/);
  assert.equal(info.napi, 9);
  assert.equal(info.cpu.sse2, true);
  sg.randomBytes(16);
  const loaded = loadedBinaries();
  assert.equal(loaded.length, 1);
  assert.match(loaded[0], /prebuilds\/linux-x64\/start_guard\.node$/);
});

test('randomBytes returns fresh bytes of the asked size', async () => {
  const { randomBytes } = await import('start-guard');
  const a = randomBytes(32);
  const b = randomBytes(32);
  assert.ok(a instanceof Uint8Array);
  assert.equal(a.length, 32);
  assert.notDeepEqual(a, b);
  assert.equal(randomBytes(0).length, 0);
});

test('wrong arguments at the binding boundary throw TypeError/RangeError with a code, never crash', async () => {
  const { randomBytes } = await import('start-guard');
  assert.throws(() => randomBytes('8'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => randomBytes(), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  for (const bad of [-1, 1.5, NaN, Infinity, 65537, 2 ** 40]) {
    assert.throws(() => randomBytes(bad), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }, String(bad));
  }
});

test('the addon loads and works in several worker_threads at once, and survives their exit', async () => {
  const source = `
    const { parentPort } = require('node:worker_threads');
    const sg = require('start-guard');
    const bytes = sg.randomBytes(64);
    parentPort.postMessage({ sodium: sg.runtimeInfo().sodium, len: bytes.length });
  `;
  const run = () =>
    new Promise((resolve, reject) => {
      const w = new Worker(source, { eval: true });
      w.once('message', resolve);
      w.once('error', reject);
    });
  for (let round = 0; round < 3; round++) {
    const results = await Promise.all([run(), run(), run(), run()]);
    for (const r of results) assert.deepEqual(r, { sodium: '1.0.18', len: 64 });
  }
  // The main thread's binding still works after workers tore theirs down.
  const { randomBytes } = await import('start-guard');
  assert.equal(randomBytes(8).length, 8);
});

test('a process whose only user of the addon is a worker that hashed and ended goes on and exits 0', async () => {
  // The hash pool's threads outlive the worker's environment; when it was the only one to load
  // the addon, Node unloaded it under them and the process crashed (SIGSEGV), unless the addon
  // stays mapped (-z nodelete). Several children: the crash came when a pool thread next woke.
  const child = `
    const { Worker } = require('node:worker_threads');
    const w = new Worker("require('start-guard').hashPassword('pw of a worker').then((h) => require('node:worker_threads').parentPort.postMessage(h.slice(0, 9)))", { eval: true });
    w.on('message', (m) => { if (m !== '$argon2id') process.exitCode = 3; });
    w.on('exit', () => setTimeout(() => {}, 300));
  `;
  const { spawn } = await import('node:child_process');
  const once = () =>
    new Promise((resolve) => {
      const p = spawn(process.execPath, ['-e', child], { stdio: 'ignore' });
      p.on('exit', (code, signal) => resolve(signal ?? code));
    });
  const results = await Promise.all([once(), once(), once(), once()]);
  assert.deepEqual(results, [0, 0, 0, 0]);
});

test('a worker terminated while using the addon does not take the process down', async () => {
  const w = new Worker(`const sg = require('start-guard'); for (;;) sg.randomBytes(1024);`, { eval: true });
  await new Promise((r) => setTimeout(r, 150));
  const code = await w.terminate();
  assert.equal(code, 1);
});
