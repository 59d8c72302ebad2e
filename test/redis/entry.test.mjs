// start-guard/redis as a module: the core never loads it, it never loads a Redis client, CJS and
// ESM are one implementation sharing the core's error class, and the browser build is inert.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Only the core itself stays an import (the `external` option would take its subpaths too).
const coreExternal = {
  name: 'core-external',
  setup(build) {
    build.onResolve({ filter: /^start-guard$/ }, () => ({ path: 'start-guard', external: true }));
  },
};
async function browserBundle(contents, plugins = []) {
  const { outputFiles } = await esbuild.build({
    absWorkingDir: root,
    stdin: { contents, resolveDir: root },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['browser'],
    write: false,
    logLevel: 'silent',
    plugins,
  });
  return outputFiles[0].text;
}
const node = (args) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();

test('importing start-guard loads neither start-guard/redis nor a Redis client', () => {
  const loaded = node([
    '-e',
    `require('start-guard');
     console.log(Object.keys(require.cache).filter((f) => /node_modules[\\/](redis|@redis)[\\/]|dist[\\/]cjs[\\/]redis[\\/]/.test(f)).length)`,
  ]);
  assert.equal(loaded, '0');
});

test('start-guard/redis itself never loads a client: the application passes its own', () => {
  const out = node([
    '-e',
    `const r = require('start-guard/redis');
     const files = Object.keys(require.cache);
     console.log(typeof r.createRedisRateLimitStore, files.some((f) => /node_modules[\\/](redis|@redis)[\\/]/.test(f)))`,
  ]);
  assert.equal(out, 'function false');
});

test('require and import give the same functions, and errors of the core class', () => {
  const out = node([
    '--input-type=module',
    '-e',
    `import { createRequire } from 'node:module';
     import * as esm from 'start-guard/redis';
     import { isStartGuardError, StartGuardError } from 'start-guard';
     const cjs = createRequire(import.meta.url)('start-guard/redis');
     const store = esm.createRedisRevocationStore({ client: { isReady: false, sendCommand() {}, on() {}, off() {} } });
     const error = await store.isRevoked({ id: 's', userId: 'u', createdAtMs: 1 }).catch((e) => e);
     console.log(esm.createRedisRateLimitStore === cjs.createRedisRateLimitStore,
       error instanceof StartGuardError, isStartGuardError(error, 'ERR_STORE_UNAVAILABLE'))`,
  ]);
  assert.equal(out, 'true true true');
});

test('the browser build: inert constructors, ERR_SERVER_ONLY calls, the core error class, no node: code', async () => {
  const code = await browserBundle("export * from 'start-guard/redis';", [coreExternal]);
  for (const forbidden of ['node:', 'sendCommand', 'EVALSHA', 'redis.call']) {
    assert.ok(!code.includes(forbidden), `browser build contains ${forbidden}`);
  }
  // The stub imports the core by name: an app's bundle has one StartGuardError.
  assert.match(code, /from "start-guard"/);
  const full = await browserBundle(
    `import { createRedisRateLimitStore, createRedisRevocationStore } from 'start-guard/redis';
        import { isStartGuardError } from 'start-guard';
        const rate = createRedisRateLimitStore({ client: undefined, onUnavailable: 'deny' });
        const rv = createRedisRevocationStore({ client: undefined });
        export const check = async () => [rate.onUnavailable,
          isStartGuardError(await rate.take('k', 1, {}).catch((e) => e), 'ERR_SERVER_ONLY'),
          isStartGuardError(await rv.isRevoked({}).catch((e) => e), 'ERR_SERVER_ONLY')].join(' ');`,
  );
  const mod = await import(`data:text/javascript,${encodeURIComponent(full)}`);
  assert.equal(await mod.check(), 'deny true true');
});
