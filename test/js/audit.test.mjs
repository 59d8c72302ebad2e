// start-guard/testing without a Start build: the Vite-side recorder, the loopback rule, discovery's
// reading of a manifest, and how probes read answers a Start app can give that the test app does
// not (streams that never end, a Response thrown by an app's own guard, a redirect, a page served
// in place of the function). The audit against real Start builds is in test/start/audit.test.mjs.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  auditServerFns,
  discoverServerFns,
  isLoopback,
  recordServerFnIds,
} from '../../dist/testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'start-guard-audit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const sha = (s) => createHash('sha256').update(s).digest('hex');

test("recordServerFnIds keeps Start's ids (returns undefined) and records the id Start computes", () => {
  const file = join(dir, 'record-default/server-fns.json');
  const generate = recordServerFnIds({ file });
  assert.equal(
    generate({ filename: 'src/lib/fns.ts', functionName: 'whoami_createServerFn_handler' }),
    undefined,
  );
  assert.equal(generate({ filename: 'src/a.ts', functionName: 'x_createServerFn_handler_1' }), undefined);
  // Called again by another environment of the same build: one entry each.
  generate({ filename: 'src/lib/fns.ts', functionName: 'whoami_createServerFn_handler' });
  const record = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(record.format, 'start-guard/server-fns/v1');
  assert.deepEqual(record.functions, [
    {
      id: sha('src/lib/fns.ts--whoami_createServerFn_handler'),
      file: 'src/lib/fns.ts',
      name: 'whoami',
      functionName: 'whoami_createServerFn_handler',
    },
    {
      id: sha('src/a.ts--x_createServerFn_handler_1'),
      file: 'src/a.ts',
      name: 'x',
      functionName: 'x_createServerFn_handler_1',
    },
  ]);
});

test("recordServerFnIds wraps the app's own generator: its ids are kept and recorded ('' falls back as Start does)", () => {
  const file = join(dir, 'record-custom.json');
  const generate = recordServerFnIds({
    file,
    generateFunctionId: ({ filename, functionName }) =>
      filename.includes('skip') ? '' : `${filename}:${functionName}`,
  });
  assert.equal(
    generate({ filename: 'src/f.ts', functionName: 'a_createServerFn_handler' }),
    'src/f.ts:a_createServerFn_handler',
  );
  assert.equal(generate({ filename: 'src/skip.ts', functionName: 'b_createServerFn_handler' }), '');
  const ids = JSON.parse(readFileSync(file, 'utf8')).functions.map((f) => f.id);
  assert.deepEqual(ids, ['src/f.ts:a_createServerFn_handler', sha('src/skip.ts--b_createServerFn_handler')]);
});

test('recordServerFnIds never fails the build: an unwritable record is one warning', async () => {
  const blocker = join(dir, 'not-a-dir');
  writeFileSync(blocker, '');
  const generate = recordServerFnIds({ file: join(blocker, 'server-fns.json') });
  const warnings = [];
  const onWarning = (w) => warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    assert.equal(generate({ filename: 'src/a.ts', functionName: 'a_createServerFn_handler' }), undefined);
    assert.equal(generate({ filename: 'src/b.ts', functionName: 'b_createServerFn_handler' }), undefined);
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', onWarning);
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /could not write the server-function record/);
  assert.throws(() => recordServerFnIds({ file: 42 }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => recordServerFnIds({ generateFunctionId: 'x' }), {
    name: 'TypeError',
    message: /generateFunctionId/,
  });
});

test('isLoopback: this machine only, as WHATWG URLs spell hosts; names are not resolved', () => {
  for (const url of [
    'http://127.0.0.1:3000',
    'http://127.9.9.9',
    'http://localhost:1',
    'http://[::1]:3000',
    'http://[::ffff:127.0.0.1]',
    'http://2130706433/',
  ]) {
    assert.equal(isLoopback(new URL(url).hostname), true, url);
  }
  for (const url of [
    'http://10.0.0.1',
    'http://[::ffff:10.0.0.1]',
    'http://localhost.example.com',
    'http://app.example.invalid',
    'http://128.0.0.1',
    'http://[::2]',
  ]) {
    assert.equal(isLoopback(new URL(url).hostname), false, url);
  }
});

test('auditServerFns refuses another host before any request, and bad options by name', async () => {
  await assert.rejects(
    auditServerFns({ url: 'http://app.example.invalid' }),
    /not this machine.*allowRemoteHost/s,
  );
  await assert.rejects(auditServerFns({ url: 'ftp://127.0.0.1' }), { name: 'TypeError', message: /"url"/ });
  // Nothing listening: the audit could not run (the CLI's exit 2), it is not a list of findings.
  const closed = createServer().listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const { port } = closed.address();
  await new Promise((resolve) => closed.close(resolve));
  await assert.rejects(
    auditServerFns({ url: `http://127.0.0.1:${port}`, root: fixtureApp('unreachable', ['a']) }),
    {
      message:
        /^start-guard audit: nothing was audited: no answer from http:\/\/127\.0\.0\.1:\d+\/ \(ECONNREFUSED\): is the server running\?$/,
    },
  );
  await assert.rejects(auditServerFns({ url: 'http://127.0.0.1:1', concurrency: 0, dist: dir }), {
    name: 'RangeError',
    message: /options\.concurrency/,
  });
});

// A build folder with Start's resolver manifest in the form its generator writes (single quotes,
// unminified), and a source file the ids hash from.
function fixtureApp(name, fns) {
  const root = join(dir, name);
  mkdirSync(join(root, 'dist/server'), { recursive: true });
  mkdirSync(join(root, 'src'), { recursive: true });
  writeFileSync(join(root, 'src/fns.ts'), "import { createServerFn } from '@tanstack/react-start';\n");
  const entries = fns
    .map(
      (fn) =>
        `  '${sha(`src/fns.ts--${fn}_createServerFn_handler`)}': {\n    functionName: '${fn}_createServerFn_handler',\n    importer: () => import('./fns.js')\n  }`,
    )
    .join(',\n');
  writeFileSync(
    join(root, 'dist/server/server.js'),
    `const manifest = {\n${entries}\n}\nexport async function getServerFnById(id) {\n  if (!manifest[id]) throw new Error('Server function info not found for ' + id)\n}\n`,
  );
  return root;
}

test('discoverServerFns reads the manifest and names functions by hashing sources when there is no record', () => {
  const root = fixtureApp('discover', ['alpha', 'beta']);
  const found = discoverServerFns({ root });
  assert.deepEqual(
    found.functions.map((f) => [f.file, f.name, f.source]),
    [
      ['src/fns.ts', 'alpha', 'hash'],
      ['src/fns.ts', 'beta', 'hash'],
    ],
  );
  assert.match(found.notes.join('\n'), /no record at/);
  rmSync(join(root, 'dist/server/server.js'));
  writeFileSync(join(root, 'dist/server/other.js'), 'export {}');
  assert.throws(() => discoverServerFns({ root }), /no server-function manifest/);
});

// Answers a Start app can give, on a loopback server: each id of the fixture is one behaviour.
const behaviours = {
  // A handler that returns a stream: framed, and the body does not end while the audit reads it.
  stream: (res) => {
    res.writeHead(200, { 'content-type': 'application/x-tss-framed; v=1', 'x-tss-serialized': 'true' });
    res.write(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 1, 0x7b]));
  },
  // An app's own guard that throws a Response: Start marks it x-tss-raw: thrown.
  thrownResponse: (res) => {
    res.writeHead(401, { 'content-type': 'text/plain', 'x-tss-raw': 'thrown' });
    res.end('Unauthorized');
  },
  redirect: (res) => {
    res.writeHead(307, { location: '/login' });
    res.end();
  },
  // A proxy or an SPA fallback answering in place of Start: a page, not an answer.
  page: (res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>app</title>');
  },
  // A handler that returned a Response of its own: x-tss-raw: true, any origin.
  raw: (res) => {
    res.writeHead(200, { 'content-type': 'text/csv', 'x-tss-raw': 'true' });
    res.end('id,total\n1,1200\n');
  },
};

let server;
let root;
before(async () => {
  root = fixtureApp('probe', Object.keys(behaviours));
  const byId = Object.fromEntries(
    Object.keys(behaviours).map((fn) => [sha(`src/fns.ts--${fn}_createServerFn_handler`), behaviours[fn]]),
  );
  server = createServer((req, res) => {
    const id = new URL(req.url, 'http://x').pathname.split('/').pop();
    byId[id](res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});
after(() => {
  server?.closeAllConnections();
  server?.close();
});

test('probes read every kind of answer; a stream that never ends does not hold the audit', async () => {
  const started = Date.now();
  const report = await auditServerFns({
    url: `http://127.0.0.1:${server.address().port}`,
    root,
    timeoutMs: 5000,
    public: ['src/fns.ts#raw'],
  });
  // Waiting for the stream to end would cost the whole timeout.
  assert.ok(Date.now() - started < 5000);
  const by = Object.fromEntries(report.functions.map((f) => [f.name, f]));
  assert.equal(by.stream.verdict, 'open');
  assert.equal(by.stream.sameOrigin.detail, 'a framed result');
  assert.equal(by.thrownResponse.verdict, 'error');
  assert.match(by.thrownResponse.detail, /a thrown Response \(401\)/);
  assert.equal(by.redirect.verdict, 'error');
  assert.match(by.redirect.detail, /redirected \(\/login\)/);
  assert.equal(by.page.verdict, 'error');
  assert.match(by.page.detail, /not from Start's server-function handler/);
  assert.equal(by.raw.verdict, 'open');
  assert.equal(by.raw.exposed, false); // public
  assert.deepEqual(report.exposed.map((f) => f.name).sort(), [
    'page',
    'redirect',
    'stream',
    'thrownResponse',
  ]);
  // With errors: 'warn', only what answers fails, and what was not reached (a page): not audited.
  const lenient = await auditServerFns({
    url: `http://127.0.0.1:${server.address().port}`,
    root,
    timeoutMs: 1500,
    public: ['src/fns.ts#raw'],
    errors: 'warn',
  });
  assert.deepEqual(
    lenient.exposed.map((f) => f.name),
    ['page', 'stream'],
  );
});
