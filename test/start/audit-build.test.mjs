// The exposure audit's reading of a build (start-guard/testing's discoverServerFns, and the CLI on
// it): minified manifests, one it cannot read, the record checked against the build, and an order
// that does not depend on the machine's locale. Hand-made builds (audit-fixture.mjs) and a real
// minified production build of the test app.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import { appDir, startApp } from './app.mjs';
import { buildAppVariant, defaultId, fixtureBuild, resolverModule } from './audit-fixture.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const minifiedDir = join(appDir, '../audit-minified');
const bin = join(appDir, 'node_modules/.bin/start-guard');
const pkgDir = join(appDir, 'node_modules/start-guard');
const testingEntry = join(
  pkgDir,
  JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).exports['./testing'].import,
);

let testing;
const dirs = [];
const build = (spec) => {
  const dir = fixtureBuild(spec);
  dirs.push(dir);
  return dir;
};

before(async () => {
  testing = await import(pathToFileURL(testingEntry).href);
});
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function audit(cwd, url, args = []) {
  const r = spawnSync(bin, ['audit', url, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a manifest minified by esbuild is read whole: quoted and bare ids alike', () => {
  // Ids that start with a digit stay quoted; the others become bare identifiers.
  const names = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
  const entries = names.map((n) => [defaultId('src/fns.ts', n), `${n}_createServerFn_handler`]);
  assert.ok(entries.some(([id]) => /^\d/.test(id)) && entries.some(([id]) => /^[a-f]/.test(id)));
  const server = transformSync(resolverModule(entries), { minify: true, format: 'esm' }).code;
  assert.match(server, /[,{][a-f][0-9a-f]{63}:\{functionName:/); // a bare id, as the reviewer saw
  const root = build({ server, sources: { 'src/fns.ts': '' } });
  const found = testing.discoverServerFns({ root }).functions;
  assert.deepEqual(found.map((f) => f.name).sort(), [...names].sort());
  assert.ok(found.every((f) => f.file === 'src/fns.ts'));
});

test('a real production build with build.minify: true is audited like the unminified one', async () => {
  buildAppVariant(appDir, minifiedDir, join(repo, 'test/audit/minify'));
  const minified = testing.discoverServerFns({ root: minifiedDir }).functions;
  const plain = testing.discoverServerFns({ root: appDir }).functions;
  assert.equal(minified.length, 28);
  assert.deepEqual(
    minified.map((f) => [f.id, f.file, f.name]),
    plain.map((f) => [f.id, f.file, f.name]),
  );
  // Without a public list, the open functions fail the audit (before the fix: 0 functions, exit 0).
  const server = await startApp({}, { dir: minifiedDir });
  try {
    const r = audit(minifiedDir, server.base);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /: 28 server function\(s\)/);
    assert.match(r.stdout, /^\s+src\/lib\/fns\.ts#openByRef \(GET\): csrf-only/m);
  } finally {
    await server.stop();
    rmSync(minifiedDir, { recursive: true, force: true });
  }
});

test('a manifest the audit cannot read whole stops it (exit 2): it never reports on part of it', () => {
  const id = defaultId('src/fns.ts', 'computed');
  // A computed key: an entry this reader does not parse.
  const server = resolverModule([[defaultId('src/fns.ts', 'plain'), 'plain_createServerFn_handler']]).replace(
    'const manifest = {\n',
    `const manifest = {\n  ['${id}']: { functionName: 'computed_createServerFn_handler', importer: () => null },\n`,
  );
  const root = build({ server, sources: { 'src/fns.ts': '' } });
  const r = audit(root, 'http://127.0.0.1:9/');
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(
    r.stderr,
    /cannot read the server-function manifest in .*server\.js: 2 functionName entries, 1 of them readable/,
  );
  assert.equal(r.stdout, '');
});

test('a record entry that does not match the build is reported and not trusted', () => {
  const secret = defaultId('src/admin.ts', 'exportUsers');
  const other = defaultId('src/admin.ts', 'auditLog');
  const server = resolverModule([
    [secret, 'exportUsers_createServerFn_handler'],
    [other, 'auditLog_createServerFn_handler'],
  ]);
  const record = [
    // Renamed to a public function, functionName and all: not the manifest's functionName.
    { id: secret, file: 'src/public.ts', name: 'health', functionName: 'health_createServerFn_handler' },
    // Moved to another file only: the id is not sha256 of that file and functionName.
    { id: other, file: 'src/public.ts', name: 'auditLog', functionName: 'auditLog_createServerFn_handler' },
  ];
  const root = build({ server, sources: { 'src/admin.ts': '', 'src/public.ts': '' }, record });
  const { functions, notes } = testing.discoverServerFns({ root });
  // Named by hashing the sources instead: their real file.
  assert.deepEqual(
    functions.map((f) => [f.file, f.name, f.source]),
    [
      ['src/admin.ts', 'auditLog', 'hash'],
      ['src/admin.ts', 'exportUsers', 'hash'],
    ],
  );
  const note = notes.find((n) => n.includes('not trusted'));
  assert.match(note, /src\/public\.ts#health/);
  assert.match(note, /src\/public\.ts#auditLog/);
});

test('one id recorded for two functions (Start renamed the second id_1) names neither', () => {
  // An app generator that returns the export name: two files export getData.
  const server = resolverModule([
    ['getData', 'getData_createServerFn_handler'],
    ['getData_1', 'getData_createServerFn_handler'],
  ]);
  const record = ['src/account.ts', 'src/reports.ts'].map((file) => ({
    id: 'getData',
    file,
    name: 'getData',
    functionName: 'getData_createServerFn_handler',
  }));
  const root = build({ server, sources: { 'src/account.ts': '', 'src/reports.ts': '' }, record });
  const { functions, notes } = testing.discoverServerFns({ root });
  assert.deepEqual(
    functions.map((f) => [f.id, f.file]),
    [
      ['getData', undefined],
      ['getData_1', undefined],
    ],
  );
  assert.ok(
    notes.some((n) =>
      /gives one id to several functions.*src\/account\.ts#getData, src\/reports\.ts#getData/.test(n),
    ),
  );
  // So "src/reports.ts#getData" in a public list names no function (and is reported as such),
  // and the account one, which answers, cannot hide behind it.
  assert.ok(functions.every((f) => f.source === 'manifest'));
});

test('functions are ordered by code units, whatever the locale', () => {
  const server = resolverModule(
    ['src/b.ts', 'src/aa.ts'].map((file) => [defaultId(file, 'list'), 'list_createServerFn_handler']),
  );
  const root = build({ server, sources: { 'src/aa.ts': '', 'src/b.ts': '' } });
  const script =
    `const { discoverServerFns } = await import(${JSON.stringify(pathToFileURL(testingEntry).href)});\n` +
    `console.log(discoverServerFns({ root: ${JSON.stringify(root)} }).functions.map((f) => f.file).join(' '));`;
  for (const locale of ['en_US.UTF-8', 'da_DK.UTF-8']) {
    // Danish sorts "aa" after "z".
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: locale },
    });
    assert.equal(r.stdout.trim(), 'src/aa.ts src/b.ts', `${locale}: ${r.stderr}`);
  }
});
