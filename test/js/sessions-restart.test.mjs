// Sign-out must survive a restart: the session manager over the file revocation store, with
// each step in a fresh Node process, as a deployed app restarts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'start-guard-restart-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const secret = 'a restart-surviving secret of 32 bytes or more';
/** Runs `body` in a fresh process with `sessions` in scope; returns what it prints. */
function inFreshProcess(body, env = {}) {
  const script = `
    const { createSessionManager, createFileRevocationStore } = require('start-guard');
    const sessions = createSessionManager({
      secrets: ${JSON.stringify(secret)},
      revocation: createFileRevocationStore({ path: ${JSON.stringify(join(dir, 'revocations'))} }),
    });
    (async () => { ${body} })().then((out) => { process.stdout.write(JSON.stringify(out ?? null)); process.exit(0); });
  `;
  const out = execFileSync(process.execPath, ['-e', script], {
    cwd: process.cwd(),
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return JSON.parse(out);
}

test('a destroyed session stays dead after a restart; its siblings stay alive', () => {
  const issued = inFreshProcess(`
    const a = sessions.create('alice', { n: 1 });
    const b = sessions.create('alice', { n: 2 });
    const cookie = (s) => s.setCookie.split(';')[0];
    await sessions.destroy(a.session);
    return { a: cookie(a), b: cookie(b), id: a.session.id };
  `);
  const check = (cookie) =>
    inFreshProcess(`return (await sessions.read(${JSON.stringify(cookie)}))?.session.userId ?? null;`);
  assert.equal(check(issued.a), null);
  assert.equal(check(issued.b), 'alice');
  // And again after another restart, by a process that only reads (no writer lock taken).
  assert.equal(check(issued.a), null);
});

test('with NODE_ENV=production the explicit store works (the embedded default is refused)', () => {
  const out = inFreshProcess(`return sessions.create('bob', null).session.userId;`, {
    NODE_ENV: 'production',
  });
  assert.equal(out, 'bob');
});
