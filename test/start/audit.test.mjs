// The exposure audit (`npx start-guard audit`, start-guard/testing) against real production builds:
// the test app as it is (with its public functions declared, it passes), and a variant built here
// from the same app with test/audit/variant laid over it (protect: 'none', a function added without
// the middleware, one behind a beforeLoad redirect only, one with a hand-written check, and handlers
// that run without a session and answer in shapes that resemble a refusal).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { appDir, startApp } from './app.mjs';
import { buildAppVariant, defaultId, fixtureBuild, resolverModule } from './audit-fixture.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const variantDir = join(appDir, '../audit-variant');
const bin = join(appDir, 'node_modules/.bin/start-guard');

// The test app's startOptions({ public }) list, as strings (it lists most of them by reference).
const APP_PUBLIC = [
  ...['openByRef', 'handlerCalls', 'strictWhoami', 'maybeMe', 'openByName'].map(
    (name) => `src/lib/fns.ts#${name}`,
  ),
  // The sign-in flows that answer without a session (src/start.ts lists them the same way).
  ...[
    'signInAs',
    'passwordLogin',
    'signOut',
    'getSession',
    'clientKey',
    'storedHash',
    'outbox',
    'requestReset',
    'checkReset',
    'completeReset',
    'completeVerification',
    'checkVerification',
  ].map((name) => `src/lib/flows.ts#${name}`),
];
// The variant has no deny by default: everything that answers on purpose is listed, so only what
// the variant adds can fail.
const VARIANT_PUBLIC = [
  ...APP_PUBLIC,
  ...['unlisted', 'unlistedGet', 'limited'].map((name) => `src/lib/fns.ts#${name}`),
  'src/lib/dashboard.ts#currentUserId',
];

// test/audit/variant/src/lib/attack.ts: handlers that run without a session (sorted).
const ATTACK = [
  'callsInternal',
  'imitation',
  'leak401',
  'leakDeferred',
  'leakJson',
  'leakRaw',
  'redirectAfter',
];

let app;
let variant;
let testing;

before(async () => {
  buildAppVariant(appDir, variantDir, join(repo, 'test/audit/variant'));
  // start-guard/testing as the app installed it (from the packed tarball), through its exports map.
  const pkgDir = join(appDir, 'node_modules/start-guard');
  const entry = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).exports['./testing'].import;
  testing = await import(pathToFileURL(join(pkgDir, entry)).href);
  [app, variant] = await Promise.all([startApp(), startApp({}, { dir: variantDir })]);
});
after(async () => {
  await app?.stop();
  await variant?.stop();
});

/** Runs the bin as CI would, from the app's directory. */
function audit(cwd, url, args = []) {
  const r = spawnSync(bin, ['audit', url, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function publicFile(list) {
  const file = join(variantDir, `public-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(list));
  return file;
}

test('the build records every server function: the record names the ids of the manifest', () => {
  const record = JSON.parse(readFileSync(join(appDir, '.start-guard/server-fns.json'), 'utf8'));
  const recorded = Object.fromEntries(record.functions.map((f) => [f.name, f.id]));
  assert.deepEqual(recorded, app.ids); // app.ids: read from dist/server by the guard tests' own regex
  assert.ok(record.functions.every((f) => f.file === 'src/lib/fns.ts' || f.file === 'src/lib/flows.ts'));
  // Both ways of naming agree: without the record, hashing source files finds the same files.
  const withRecord = testing.discoverServerFns({ root: appDir });
  const byHash = testing.discoverServerFns({ root: appDir, record: 'missing.json' });
  assert.ok(withRecord.functions.every((f) => f.source === 'record'));
  assert.ok(byHash.functions.every((f) => f.source === 'hash'));
  assert.deepEqual(
    byHash.functions.map((f) => [f.id, f.file, f.name]),
    withRecord.functions.map((f) => [f.id, f.file, f.name]),
  );
});

test('npx start-guard audit passes on the test app with its declared public functions', async () => {
  const before = await app.handlerCalls();
  const r = audit(appDir, app.base, ['--public-file', publicFile(APP_PUBLIC), '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.ok, true);
  const verdicts = Object.fromEntries(report.functions.map((f) => [f.name, [f.verdict, f.method]]));
  assert.deepEqual(verdicts, {
    adminOnly: ['protected', 'POST'],
    handlerCalls: ['csrf-only', 'GET'],
    limited: ['protected', 'POST'],
    maybeMe: ['csrf-only', 'GET'],
    openByName: ['csrf-only', 'POST'],
    openByRef: ['csrf-only', 'GET'],
    ownDocument: ['protected', 'GET'],
    recentSignIn: ['protected', 'POST'],
    strictWhoami: ['protected', 'GET'],
    unlisted: ['protected', 'POST'],
    unlistedGet: ['protected', 'GET'],
    whoami: ['protected', 'GET'],
    whoamiPost: ['protected', 'POST'],
    // The flows: public ones answer, or throw on the missing payload (their validators expect
    // one; public, so not a finding); the others refuse like any guarded function.
    checkReset: ['error', 'GET'],
    clientKey: ['csrf-only', 'GET'],
    completeReset: ['error', 'POST'],
    completeVerification: ['error', 'POST'],
    checkVerification: ['error', 'GET'],
    getSession: ['csrf-only', 'GET'],
    outbox: ['csrf-only', 'GET'],
    passwordLogin: ['error', 'POST'],
    requestReset: ['error', 'POST'],
    requestVerification: ['protected', 'POST'],
    sessionData: ['protected', 'GET'],
    setTheme: ['protected', 'POST'],
    signInAs: ['error', 'POST'],
    signOut: ['csrf-only', 'POST'],
    storedHash: ['error', 'GET'],
  });
  // Protected handlers never ran; an open one ran once (the foreign call was refused by CSRF).
  const after = await app.handlerCalls();
  for (const name of ['whoami', 'whoamiPost', 'unlisted', 'unlistedGet', 'adminOnly', 'recentSignIn']) {
    assert.equal(after[name] ?? 0, before[name] ?? 0, name);
  }
  assert.equal((after.openByRef ?? 0) - (before.openByRef ?? 0), 1);
  // The table for people says the same.
  const table = audit(appDir, app.base, ['--public-file', publicFile(APP_PUBLIC)]);
  assert.equal(table.code, 0);
  assert.match(
    table.stdout,
    /^protected\s+GET\s+src\/lib\/fns\.ts#whoami\s+401 ERR_UNAUTHENTICATED\s+403 ERR_CSRF$/m,
  );
  assert.match(
    table.stdout,
    /^OK: 11 protected, 17 public \(8 CSRF-only, 8 error, 1 protected\), none exposed$/m,
  );
});

test('a misspelled public name is reported with the name it probably meant, and fails', () => {
  const list = APP_PUBLIC.map((e) => (e.endsWith('#openByName') ? 'src/lib/fns.ts#openByNmae' : e));
  const r = audit(appDir, app.base, ['--public-file', publicFile(list)]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /src\/lib\/fns\.ts#openByNmae: did you mean src\/lib\/fns\.ts#openByName\?/);
  // And the function it meant is now exposed (it answers and is not listed).
  assert.match(r.stdout, /^CSRF-ONLY\s+POST\s+src\/lib\/fns\.ts#openByName/m);
});

test('protect: none: a function added without the middleware, and one behind a beforeLoad redirect only, fail the audit by name', async () => {
  // The page is guarded: without a session /dashboard redirects to /login ...
  const page = await variant.fetch('/dashboard');
  assert.equal(page.status, 307);
  assert.match(page.headers.get('location'), /\/login/);
  // ... and the data is not.
  const r = audit(variantDir, variant.base, [
    '--public-file',
    publicFile(VARIANT_PUBLIC),
    '--errors',
    'warn',
  ]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /FAIL: 6 server function/);
  assert.match(
    r.stdout,
    /^\s+src\/lib\/exposed\.ts#exportAllInvoices \(GET\): csrf-only, answered without a session/m,
  );
  assert.match(
    r.stdout,
    /^\s+src\/lib\/dashboard\.ts#dashboardStats \(GET\): csrf-only, answered without a session/m,
  );
  // The functions that keep their own middleware are still protected under protect: 'none'.
  assert.match(r.stdout, /^protected\s+GET\s+src\/lib\/fns\.ts#whoami\s/m);
});

test('an error thrown without a session (a 200 with an error body) is not taken for protection', async () => {
  const r = audit(variantDir, variant.base, ['--public-file', publicFile(VARIANT_PUBLIC), '--json']);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.exposed.map((f) => f.label).sort(), [
    ...ATTACK.map((name) => `src/lib/attack.ts#${name}`),
    'src/lib/dashboard.ts#dashboardStats',
    'src/lib/exposed.ts#exportAllInvoices',
    'src/lib/exposed.ts#ownCheck',
  ]);
  const own = report.functions.find((f) => f.name === 'ownCheck');
  assert.equal(own.sameOrigin.status, 200); // Start sends a thrown Error as a 200
  assert.equal(own.sameOrigin.outcome, 'thrown');
  assert.equal(own.sameOrigin.message, 'not signed in');
  assert.equal(own.verdict, 'error');
});

test("only start-guard's own refusal is protection: data under a 401, a copied header, a redirect, another id's error", async () => {
  const before = await variant.handlerCalls();
  const r = audit(variantDir, variant.base, ['--public-file', publicFile(VARIANT_PUBLIC), '--json']);
  assert.equal(r.code, 1, r.stderr);
  const after = await variant.handlerCalls();
  const fns = Object.fromEntries(JSON.parse(r.stdout).functions.map((f) => [f.name, f]));
  const seen = (name) => [fns[name].verdict, fns[name].sameOrigin.outcome, fns[name].sameOrigin.status];
  // A caught updateSession refusal leaves its 401 and header; the body is still the data (a
  // result, a framed deferred value, a raw Response), and a plain 401 result is data too.
  assert.deepEqual(seen('leakJson'), ['csrf-only', 'answered', 401]);
  assert.deepEqual(seen('leakDeferred'), ['csrf-only', 'answered', 401]);
  assert.deepEqual(seen('leakRaw'), ['csrf-only', 'answered', 401]);
  assert.deepEqual(seen('leak401'), ['csrf-only', 'answered', 401]);
  assert.match(fns.leakJson.detail, /despite x-start-guard-error: ERR_UNAUTHENTICATED/);
  // start-guard's header and message written by hand: not its serialized error.
  assert.deepEqual(seen('imitation'), ['error', 'thrown', 401]);
  // A redirect thrown by the handler (Start answers 200 with the redirect's JSON).
  assert.deepEqual(seen('redirectAfter'), ['error', 'redirect', 200]);
  // "Server function info not found" for another id (the one it called) is the handler's error.
  assert.deepEqual(seen('callsInternal'), ['error', 'thrown', 200]);
  // Every one of them ran: none of those answers was a refusal before the handler.
  for (const name of ATTACK) {
    assert.ok((after[name] ?? 0) > (before[name] ?? 0), name);
  }
});

test('start-guard/testing: assertNoExposedServerFns throws with the table on the variant, passes on the app', async () => {
  await assert.rejects(
    testing.assertNoExposedServerFns({ url: variant.base, root: variantDir, public: VARIANT_PUBLIC }),
    (error) => {
      assert.match(error.message, /src\/lib\/exposed\.ts#exportAllInvoices/);
      assert.equal(error.report.exposed.length, 3 + ATTACK.length);
      return true;
    },
  );
  const report = await testing.assertNoExposedServerFns({ url: app.base, root: appDir, public: APP_PUBLIC });
  assert.equal(report.functions.length, 28);
});

test('other hosts are refused before any request unless allowed; a missing build is a clear error', () => {
  const r = audit(appDir, 'http://app.example.invalid:3000', []);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not this machine.*--allow-remote-host/s);
  const missing = audit(appDir, app.base, ['--dist', 'no-such-dist']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no-such-dist\/server does not exist: run the app's production build/);
  assert.ok(!existsSync(join(appDir, 'no-such-dist')));
});

test('an audit that reached no server function, or found none, exits 2 (even with --errors warn)', () => {
  // A wrong serverFns.base: every call gets a page, not Start's server-function handler.
  const base = audit(appDir, app.base, ['--server-fn-base', '/api/fn', '--errors', 'warn']);
  assert.equal(base.code, 2, base.stdout + base.stderr);
  assert.match(base.stderr, /nothing was audited: no call reached Start's server-function handler/);
  // Another build than the one the server runs: it knows none of the ids.
  const other = fixtureBuild({
    server: resolverModule([[defaultId('src/other.ts', 'elsewhere'), 'elsewhere_createServerFn_handler']]),
    sources: { 'src/other.ts': '' },
  });
  const unknown = audit(other, app.base, ['--errors', 'warn']);
  assert.equal(unknown.code, 2, unknown.stdout + unknown.stderr);
  assert.match(
    unknown.stderr,
    /nothing was audited: the server at .* knows none of the 1 server-function ids/,
  );
  // A build without server functions: nothing to audit is not a pass.
  const emptyDir = fixtureBuild({ server: resolverModule([]) });
  const empty = audit(emptyDir, app.base, []);
  assert.equal(empty.code, 2, empty.stdout + empty.stderr);
  assert.match(empty.stderr, /has no server functions: nothing to audit/);
  for (const dir of [other, emptyDir]) rmSync(dir, { recursive: true, force: true });
});

test('a URL with credentials is refused before any request, and the credentials are never printed', async () => {
  const url = app.base.replace('http://', 'http://ci-user:s3cret-token@');
  const r = audit(appDir, url, ['--json']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /without credentials/);
  assert.doesNotMatch(r.stdout + r.stderr, /s3cret-token/);
  await assert.rejects(testing.auditServerFns({ url, root: appDir }), (error) => {
    assert.ok(error instanceof TypeError);
    assert.doesNotMatch(error.message, /s3cret-token/);
    return true;
  });
});
