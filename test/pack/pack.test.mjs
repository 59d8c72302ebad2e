// The package as a user receives it: npm pack, install the tarball with install scripts off (as
// npm 11, pnpm 10 and Bun do by default), load it from require and import, and bundle the
// public entry for the browser.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import * as esbuild from 'esbuild';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');
let dir;
let files;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'start-guard-pack-'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: root,
    encoding: 'utf8',
  });
  const [info] = JSON.parse(out);
  files = info.files.map((f) => f.path);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  execFileSync(
    'npm',
    ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', join(dir, info.filename)],
    { cwd: dir, stdio: 'inherit' },
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the tarball holds the builds, the binary and its libraries, and no sources or build trees', () => {
  for (const f of [
    'dist/cjs/index.js',
    'dist/esm/index.mjs',
    'dist/browser/index.mjs',
    'prebuilds/linux-x64/start_guard.node',
    'prebuilds/linux-x64/libsodium.so.23',
    'prebuilds/linux-x64/manifest.json',
    'prebuilds/linux-x64/LICENSE.argon2',
  ]) {
    assert.ok(files.includes(f), `missing ${f}`);
  }
  assert.ok(!files.some((f) => /^(native|lib|test|build|bench)\//.test(f)), files.join(' '));
  // The glibc floor the loader checks must admit RHEL 9 and Amazon Linux 2023 (glibc 2.34).
  const { glibc } = JSON.parse(readFileSync(join(root, 'prebuilds/linux-x64/manifest.json'), 'utf8'));
  const [major, minor] = glibc.split('.').map(Number);
  assert.ok(major === 2 && minor <= 34, `glibc floor ${glibc}`);
});

test('installed without install scripts, it loads from require and from import', () => {
  const cjs = execFileSync(
    process.execPath,
    ['-e', "const sg = require('start-guard'); console.log(sg.randomBytes(5).length, sg.runtimeInfo().napi)"],
    { cwd: dir, encoding: 'utf8' },
  );
  assert.equal(cjs.trim(), '5 9');
  const esm = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "import { randomBytes, isStartGuardError } from 'start-guard'; console.log(randomBytes(7).length, typeof isStartGuardError)",
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  assert.equal(esm.trim(), '7 function');
});

test('installed without install scripts, the packed binary hashes and verifies (Argon2id and bcrypt)', () => {
  const engine = join(dir, 'node_modules/start-guard/dist/cjs/passwords/engine.js');
  const out = execFileSync(
    process.execPath,
    [
      '-e',
      `const e = require(${JSON.stringify(engine)});
       const pw = new TextEncoder().encode('packed');
       (async () => {
         const h = await e.argon2Hash(pw, { variant: 'argon2id', memoryKiB: 19456, passes: 2, parallelism: 1 });
         const b = await e.bcryptHash(pw, 4);
         console.log(h.slice(0, 31), await e.argon2Verify(h, pw, null), await e.bcryptVerify(b, pw),
           await e.argon2Verify(h, new Uint8Array(1), null));
       })();`,
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  assert.equal(out.trim(), '$argon2id$v=19$m=19456,t=2,p=1$ true true false');
  // -fvisibility=hidden and --exclude-libs: the Argon2 library's generic names (initialize,
  // fill_segment, blake2b, ...) are not exported to interpose another addon's.
  const exported = execFileSync(
    'nm',
    ['-D', '--defined-only', join(dir, 'node_modules/start-guard/prebuilds/linux-x64/start_guard.node')],
    {
      encoding: 'utf8',
    },
  );
  assert.match(exported, /\bnapi_register_module_v1\b/);
  assert.doesNotMatch(exported, /\b(fill_segment\w*|initialize|finalize|blake2b\w*|argon2_\w+|sg_\w+)\b/);
  const license = readFileSync(
    join(dir, 'node_modules/start-guard/prebuilds/linux-x64/LICENSE.argon2'),
    'utf8',
  );
  assert.match(license, /CC0 1\.0/);
  assert.match(license, /Apache/);
});

test('a browser bundle of the public entry has no binary path and no server code', async () => {
  writeFileSync(join(dir, 'entry.mjs'), "export * from 'start-guard';\n");
  const outfile = join(dir, 'bundle.mjs');
  await esbuild.build({
    absWorkingDir: dir,
    entryPoints: ['entry.mjs'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    outfile,
    logLevel: 'silent',
  });
  const code = readFileSync(outfile, 'utf8');
  for (const forbidden of [
    '.node',
    'prebuilds',
    'process.report',
    'node:',
    'glibc',
    'flockExclusive',
    'fdatasync',
  ]) {
    assert.ok(!code.includes(forbidden), `bundle contains ${forbidden}`);
  }
  // Evaluated as the browser would: the error helpers are real, server methods refuse.
  const mod = await import(pathToFileURL(outfile).href);
  const e = new mod.StartGuardError('ERR_CSRF', 'x');
  assert.equal(mod.isStartGuardError(e, 'ERR_CSRF'), true);
  assert.throws(
    () => mod.randomBytes(4),
    (err) => mod.isStartGuardError(err, 'ERR_SERVER_ONLY'),
  );
});

test('the browser bundle evaluates where there is no process, Buffer or require', async () => {
  const { outputFiles } = await esbuild.build({
    absWorkingDir: dir,
    entryPoints: ['entry.mjs'],
    bundle: true,
    format: 'iife',
    globalName: 'StartGuard',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  // A bare context: only what the language itself provides (as in a browser, no Node globals).
  const context = vm.createContext({});
  vm.runInContext(outputFiles[0].text, context);
  const check = vm.runInContext(
    `(() => {
      const sg = StartGuard;
      const dev = sg.createSessionManager({ secrets: 'x'.repeat(40), cookie: { insecureDevelopment: true } });
      let code = '';
      try { dev.create('u', null); } catch (e) { code = e.code; }
      return [typeof process, dev.cookieName, code, sg.isStartGuardError(new sg.StartGuardError('ERR_CSRF'))].join(' ');
    })()`,
    context,
  );
  assert.equal(check, 'undefined session ERR_SERVER_ONLY true');
});

test('start-guard/testing and the `start-guard` bin work from the tarball, without the native binding', () => {
  assert.ok(files.includes('dist/testing/cli.js') && files.includes('dist/testing/index.d.ts'));
  const help = execFileSync(join(dir, 'node_modules/.bin/start-guard'), ['--help'], {
    cwd: dir,
    encoding: 'utf8',
  });
  assert.match(help, /^usage: start-guard audit <url>/);
  // The audit and the Vite-side recorder never load the binary (vite.config.ts imports them).
  const out = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { recordServerFnIds, auditServerFns } from 'start-guard/testing';
       const loaded = process.report.getReport().sharedObjects.some((f) => f.endsWith('start_guard.node'));
       console.log(typeof recordServerFnIds(), typeof auditServerFns, loaded);`,
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  assert.equal(out.trim(), 'function function false');
});

test('start-guard/redis: packed builds, and its types accept a real node-redis client', () => {
  for (const f of [
    'dist/cjs/redis/index.js',
    'dist/cjs/redis/index.d.ts',
    'dist/esm/redis.mjs',
    'dist/browser/redis.mjs',
  ]) {
    assert.ok(files.includes(f), `missing ${f}`);
  }
  // The consumer brings its own client (an optional peer): linked from this repository's copy.
  mkdirSync(join(dir, 'node_modules/@redis'), { recursive: true });
  symlinkSync(join(root, 'node_modules/redis'), join(dir, 'node_modules/redis'));
  for (const p of readdirSync(join(root, 'node_modules/@redis'))) {
    symlinkSync(join(root, 'node_modules/@redis', p), join(dir, 'node_modules/@redis', p));
  }
  writeFileSync(
    join(dir, 'consumer-redis.ts'),
    `import { createClient, createCluster } from 'redis';
     import { createRateLimiter, createSessionManager } from 'start-guard';
     import { createRedisRateLimitStore, createRedisRevocationStore, type RedisRateLimitStore } from 'start-guard/redis';
     const client = createClient({ url: 'redis://127.0.0.1:6379' });
     const store: RedisRateLimitStore = createRedisRateLimitStore({ client, onUnavailable: 'deny', timeoutMs: 100 });
     const limiter = createRateLimiter({ name: 'api', store, capacity: 10, refillPerSecond: 1 });
     const sessions = createSessionManager({
       secrets: 'x'.repeat(32),
       revocation: createRedisRevocationStore({ client, prefix: 'app:' }),
     });
     export const onCluster = createRedisRevocationStore({ client: createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7000' }] }) });
     export async function allowed(): Promise<boolean> {
       return (await limiter.take('k')).allowed && sessions.cookieName.length > 0;
     }
`,
  );
  typecheck('consumer-redis.ts');
  const out = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { createRedisRateLimitStore } from 'start-guard/redis';
       const { createRedisRevocationStore } = (await import('node:module')).createRequire(import.meta.url)('start-guard/redis');
       console.log(typeof createRedisRateLimitStore, typeof createRedisRevocationStore)`,
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  assert.equal(out.trim(), 'function function');
});

test('a missing binary is a clear ERR_NATIVE_LOAD at first use, not at import', () => {
  // Last test: it breaks the installed copy on purpose.
  rmSync(join(dir, 'node_modules/start-guard/prebuilds/linux-x64/start_guard.node'));
  const out = execFileSync(
    process.execPath,
    [
      '-e',
      `const sg = require('start-guard');
       try { sg.randomBytes(1); console.log('loaded?!'); }
       catch (e) { console.log(e.code, sg.isStartGuardError(e), /start_guard\\.node/.test(e.message), /external/.test(e.message)); }`,
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  assert.equal(out.trim(), 'ERR_NATIVE_LOAD true true true');
});

/** Type-checks `file` in the consumer directory, strict, under node16 and bundler resolution. */
function typecheck(file) {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  for (const moduleResolution of ['node16', 'bundler']) {
    const module = moduleResolution === 'node16' ? 'node16' : 'esnext';
    execFileSync(
      process.execPath,
      [
        tsc,
        '--noEmit',
        '--strict',
        '--module',
        module,
        '--moduleResolution',
        moduleResolution,
        '--target',
        'es2022',
        '--lib',
        'es2022,dom',
        file,
      ],
      { cwd: dir, stdio: 'pipe' },
    );
  }
}

test('the published types type-check a consumer (node16 and bundler resolution), and catch misuse', () => {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  writeFileSync(
    join(dir, 'consumer.ts'),
    `import { createSealer, createSessionManager, createMemoryRevocationStore, isStartGuardError,
       type Session, type StartGuardErrorCode } from 'start-guard';
     const sessions = createSessionManager<{ theme: 'dark' | 'light' }>({
       secrets: 'x'.repeat(32), revocation: createMemoryRevocationStore() });
     export async function handler(request: Request): Promise<string | undefined> {
       const found = await sessions.read(request);
       if (!found) return undefined;
       const s: Session<{ theme: 'dark' | 'light' }> = found.session;
       const code: StartGuardErrorCode = 'ERR_CSRF';
       void code;
       const sealed = createSealer({ secrets: [new Uint8Array(32)] }).unseal<{ n: number }>('t', { claims: true });
       const n: number | undefined = sealed?.value.n;
       void n;
       try { sessions.update(s, { theme: 'light' }); } catch (e) { if (isStartGuardError(e, 'ERR_COOKIE_TOO_LARGE')) return e.code; }
       return s.data.theme;
     }
`,
  );
  typecheck('consumer.ts');
  // And a misuse is a type error: a theme outside the session's data type.
  writeFileSync(
    join(dir, 'misuse.ts'),
    `import { createSessionManager } from 'start-guard';
     const sessions = createSessionManager<{ theme: 'dark' | 'light' }>({ secrets: 'x'.repeat(32) });
     sessions.create('u', { theme: 'blue' });
`,
  );
  assert.throws(
    () =>
      execFileSync(
        process.execPath,
        [tsc, '--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', 'misuse.ts'],
        {
          cwd: dir,
          stdio: 'pipe',
        },
      ),
    (err) => /TS2322/.test(String(err.stdout)),
  );
});

test('the published rate-limit types type-check a consumer (node16 and bundler resolution)', () => {
  writeFileSync(
    join(dir, 'consumer-ratelimit.ts'),
    `import { clientAddress, createRateLimiter, loginLimits, normalizeIdentifier,
       type RateLimitResult, type RateLimitStore, type ClientAddress, type LoginAttempt } from 'start-guard';
     const api = createRateLimiter({ name: 'api', capacity: 20, refillPerSecond: 5 });
     const limits = loginLimits({ perClient: { capacity: 5, refillPerSecond: 1 / 60 } });
     export const store: RateLimitStore = {
       onUnavailable: 'local',
       take: async (_key, cost, p) => ({ allowed: cost <= p.capacity, remaining: 0, retryAfterMs: 0 }),
       peek: async () => ({ allowed: true, remaining: 1, retryAfterMs: 0 }),
       refund: async () => {},
       reset: async () => {},
     };
     export async function handler(request: Request, remoteAddress: string): Promise<number> {
       const client: ClientAddress = clientAddress({ remoteAddress, headers: request.headers }, { trustProxy: ['10.0.0.0/8'] });
       const r: RateLimitResult = api.takeSync(client.limitKey);
       const attempt: LoginAttempt = await limits.check(normalizeIdentifier('a@b.c') ?? '', client);
       if (attempt.allowed) await attempt.succeeded();
       return r.allowed ? 200 : 429;
     }
`,
  );
  typecheck('consumer-ratelimit.ts');
});
