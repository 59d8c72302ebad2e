// What the production build shipped: the client bundle carries start-guard's browser build (the
// error class, the adapter, inert middleware) and none of its server code, the binary or Start's
// server runtime; the server bundle left start-guard external. And the type test compiles.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { appDir } from './app.mjs';

function readAll(dir) {
  let text = '';
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(m?js|css|html)$/.test(entry.name)) {
      text += readFileSync(join(entry.parentPath ?? entry.path, entry.name), 'utf8');
    }
  }
  return text;
}

// Strings only start-guard's server code, its loader or Start's server runtime contain.
const SERVER_ONLY = [
  'start_guard.node',
  'prebuilds',
  'process.report',
  'x-start-guard-error', // start-guard/start's server rejection
  'no CSRF check saw this', // start-guard/start's server guard
  'sec-fetch-site', // start-guard/start's CSRF check
  'tanstack-start:event-storage', // @tanstack/react-start/server's request storage
  'AsyncLocalStorage',
  'fdatasync',
  'iron-webcrypto', // the migration's lazy import
  'start-guard/iron-migration/v1', // the migrated session's id
  'the identifier or the password is wrong', // passwordSignIn's refusal
];

test('dist/client has start-guard (browser build) but no server code, no binary, no Start server runtime', () => {
  const client = readAll(join(appDir, 'dist/client'));
  // Positive controls: the browser build is really there, with a real adapter and error class.
  assert.ok(client.includes('start-guard/error'), 'the serialization adapter is in the client');
  assert.ok(client.includes('ERR_SERVER_ONLY'), 'the browser core is in the client');
  for (const s of SERVER_ONLY) assert.ok(!client.includes(s), `dist/client contains ${s}`);
});

test('the strings the client check looks for are in the server side (the check can fail)', () => {
  const server =
    readFileSync(join(appDir, 'node_modules/start-guard/dist/start/index.js'), 'utf8') +
    readFileSync(join(appDir, 'node_modules/start-guard/dist/cjs/native.js'), 'utf8') +
    readFileSync(join(appDir, 'node_modules/start-guard/dist/cjs/revocation/file-store.js'), 'utf8') +
    readAll(join(appDir, 'node_modules/@tanstack/start-server-core/dist/esm'));
  for (const s of SERVER_ONLY) assert.ok(server.includes(s), `server code lacks ${s}`);
});

test('the server build keeps start-guard external (loaded from node_modules at run time)', () => {
  const server = readAll(join(appDir, 'dist/server'));
  assert.match(server, /from\s*"start-guard\/start"/);
  assert.match(server, /from\s*"start-guard"/);
  assert.ok(!server.includes('no CSRF check saw this'), 'start-guard was bundled into the server build');
});

test('types: context.user and context.session flow into handlers, and misuse fails to compile', () => {
  const tsc = join(appDir, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '--noEmit', '-p', 'type-tests'], { cwd: appDir, stdio: 'pipe' });
});

test('the browser build: real Start middleware objects whose .server() parts refuse, a real adapter', () => {
  const script = `
    import { createSessionManager, isStartGuardError } from 'start-guard';
    import { createAuth, startGuardSerializationAdapter as a } from 'start-guard/start';
    const sessions = createSessionManager({ secrets: '', cookie: { insecureDevelopment: true } });
    // In the browser the server's secrets are empty strings: options that only the server reads
    // (the migration's password) are not checked there.
    const auth = createAuth({ sessions, loadUser: () => null, toClient: () => ({}), trustProxy: ['10.0.0.0/8'],
      migrate: { iron: { password: '', ttlSeconds: 0, until: 0 } } });
    const opts = auth.startOptions({ protect: 'all' });
    let code = '';
    try { await auth.middleware.options.server({ next: () => {} }); } catch (e) { code = e.code; }
    // The flows refuse in the browser too (their server functions run on the server).
    for (const call of [() => auth.signIn('u', null), () => auth.signOut(), () => auth.getSession(),
      () => auth.passwordSignIn({}), () => auth.clientAddress(), () => auth.passwordReset({}).request('a')]) {
      try { await call(); code += ' no'; } catch (e) { if (e.code !== 'ERR_SERVER_ONLY') code += ' ' + e.code; }
    }
    const e = a.fromSerializable(a.toSerializable(new (await import('start-guard')).StartGuardError('ERR_CSRF')));
    console.log([auth.middleware.options.type, typeof auth.middleware.options.server, code,
      opts.requestMiddleware.length, opts.functionMiddleware.length, isStartGuardError(e, 'ERR_CSRF'), e.status].join(' '));`;
  const out = execFileSync(process.execPath, ['--conditions=browser', '--input-type=module', '-e', script], {
    cwd: appDir,
    encoding: 'utf8',
  });
  assert.equal(out.trim(), 'function function ERR_SERVER_ONLY 2 1 true 403');
});

test('startOptions: built once and reused for equal options (Start calls it per request), rebuilt when they change', () => {
  const script = `
    import { createSessionManager } from 'start-guard';
    import { createAuth } from 'start-guard/start';
    const sessions = createSessionManager({ secrets: '', cookie: { insecureDevelopment: true } });
    const auth = createAuth({ sessions, loadUser: () => null });
    const fn = { serverFnMeta: { id: 'x' } };
    const make = (origins) => auth.startOptions({ protect: 'all', public: [fn, 'src/a.ts#b'], csrf: { allowedOrigins: origins } });
    const a = make(['https://a.example']), b = make(['https://a.example']), c = make(['https://c.example']);
    let refused = '';
    try { auth.startOptions({ protect: 'all', public: ['no-hash'] }); } catch (e) { refused = e.code; }
    console.log([a === b, a === c, refused].join(' '));`;
  const out = execFileSync(process.execPath, ['--conditions=browser', '--input-type=module', '-e', script], {
    cwd: appDir,
    encoding: 'utf8',
  });
  assert.equal(out.trim(), 'true false ERR_INVALID_OPTION');
});
