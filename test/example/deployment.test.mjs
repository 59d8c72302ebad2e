// The example as it would be deployed: what its server writes to its log, the permissions of its
// data folder, and the demo-only behaviour (seeded accounts, the development mailer) staying off
// unless EXAMPLE_DEMO=1 asks for it.
import assert from 'node:assert/strict';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { appDir, startApp, waitForMail } from './app.mjs';

let app;
let dataDir;
let outside;

before(async () => {
  // A data folder made beforehand, as `mkdir -p` under umask 022 makes it.
  dataDir = mkdtempSync(join(tmpdir(), 'start-guard-example-deploy-'));
  chmodSync(dataDir, 0o755);
  // And files in it from before, made under umask 022 (0644): a mail file and a session secret.
  writeFileSync(join(dataDir, 'mail.mbox'), '', { mode: 0o644 });
  writeFileSync(join(dataDir, 'session-secret'), 'an-old-secret-0123456789abcdef-0123456789\n', {
    mode: 0o644,
  });
  chmodSync(join(dataDir, 'mail.mbox'), 0o644);
  chmodSync(join(dataDir, 'session-secret'), 0o644);
  // An executable of the operator's (its owner's bits stay), and a link to a folder outside whose
  // files must not be touched (a walk through the link changed them).
  writeFileSync(join(dataDir, 'backup.sh'), '#!/bin/sh\n');
  chmodSync(join(dataDir, 'backup.sh'), 0o755);
  outside = mkdtempSync(join(tmpdir(), 'start-guard-example-outside-'));
  mkdirSync(join(outside, 'sub'));
  writeFileSync(join(outside, 'sub', 'page.html'), '<p>public</p>');
  chmodSync(join(outside, 'sub'), 0o755);
  chmodSync(join(outside, 'sub', 'page.html'), 0o644);
  symlinkSync(outside, join(dataDir, 'static'));
  app = await startApp({ dataDir });
});
after(async () => {
  await app?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  if (outside) rmSync(outside, { recursive: true, force: true });
});

test('the access log has each request, never its query (no token of a link)', async () => {
  const probe = `probe${Date.now()}tokenvalue`;
  assert.equal((await app.fetch(`/reset-password?token=${probe}a`)).status, 200);
  const r = await app.call('checkResetLink', { data: { token: `${probe}b` } }); // GET: ?payload=
  assert.equal(r.status, 200, r.text);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const log = app.log();
  assert.match(log, /GET \/reset-password 200/);
  assert.match(log, new RegExp(`GET /_serverFn/${app.ids.checkResetLink} 200`));
  assert.doesNotMatch(log, new RegExp(probe));
  assert.doesNotMatch(log, /\?(token|payload)=/);
});

test('the data folder is tightened to 0700 and its files to owner-only (from before included), never through a link', async () => {
  // Files made on first use: a sign-up (tokens, mails), a sign-in and sign-out (revocations).
  const email = `perm-${Date.now()}@example.com`;
  await app.createUser(email, 'perm-password-123');
  await waitForMail(app.dataDir, email, /Create your account/);
  const cookie = await app.signIn(email, 'perm-password-123');
  assert.equal((await app.call('signOut', { method: 'POST', cookie })).status, 200);
  assert.equal(statSync(dataDir).mode & 0o777, 0o700);
  const files = readdirSync(dataDir, { recursive: true });
  for (const name of [
    'app.db',
    'app.db-wal',
    'app.db-shm',
    'mail.mbox',
    'demo-accounts.txt',
    'session-secret',
  ]) {
    assert.ok(files.includes(name), `${name} in ${files.join(', ')}`);
  }
  for (const name of files) {
    if (name === 'static' || name.startsWith('static/')) continue; // the link, checked below
    const mode = statSync(join(dataDir, name)).mode & 0o777;
    assert.equal(mode & 0o077, 0, `${name}: ${mode.toString(8)}`);
  }
  assert.equal(statSync(join(dataDir, 'backup.sh')).mode & 0o777, 0o700, 'owner bits kept');
  assert.equal(statSync(join(outside, 'sub')).mode & 0o777, 0o755, 'nothing outside the folder changed');
  assert.equal(statSync(join(outside, 'sub', 'page.html')).mode & 0o777, 0o644);
});

test('without EXAMPLE_DEMO=1 the app refuses to start (no real mailer), and seeds no account', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'start-guard-example-nodemo-'));
  try {
    let refusal;
    const started = await startApp({
      dataDir: dir,
      env: { EXAMPLE_DEMO: '', SESSION_SECRET: 'a-deployment-secret-0123456789abcdef' },
    }).catch((error) => void (refusal = error));
    await started?.stop({ keepData: true }); // a server that did start must not outlive the test
    assert.ok(refusal, 'the server started without EXAMPLE_DEMO=1');
    assert.match(refusal.message, /server exited \(1\)/);
    assert.match(refusal.message, /no mailer configured\. Run the demo with EXAMPLE_DEMO=1/);
    assert.ok(!existsSync(join(dir, 'demo-accounts.txt')));
    assert.ok(!existsSync(join(dir, 'mail.mbox')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the demo keeps its data in a folder of its own; a data folder with the demo's accounts is refused outside the demo", async () => {
  // The demo with the default folder (no DATA_DIR), in the build's folder as `npm run demo` runs it.
  const demoDir = join(appDir, '.data-demo');
  rmSync(demoDir, { recursive: true, force: true });
  const demo = await startApp({ env: { DATA_DIR: undefined } });
  await demo.stop();
  try {
    assert.ok(existsSync(join(demoDir, 'demo-accounts.txt')), 'the demo seeds .data-demo');
    assert.ok(
      !existsSync(join(appDir, '.data', 'demo-accounts.txt')),
      "npm start's .data gets no demo account",
    );
    // That folder, or any holding demo-accounts.txt, given to a server outside the demo: it exits,
    // naming the folder, before the mailer check.
    const dir = mkdtempSync(join(tmpdir(), 'start-guard-example-wasdemo-'));
    copyFileSync(join(demoDir, 'demo-accounts.txt'), join(dir, 'demo-accounts.txt'));
    for (const dataDir of [dir, demoDir]) {
      let refusal;
      const started = await startApp({
        dataDir,
        env: { EXAMPLE_DEMO: '', SESSION_SECRET: 'a-deployment-secret-0123456789abcdef' },
      }).catch((error) => void (refusal = error));
      await started?.stop({ keepData: true });
      assert.ok(refusal, 'the server started on the demo data');
      assert.match(refusal.message, /server exited \(1\)/);
      assert.ok(refusal.message.includes(`${dataDir} holds the demo's accounts`), refusal.message);
      assert.match(refusal.message, /Remove that folder, or set DATA_DIR/);
    }
    rmSync(dir, { recursive: true, force: true });
  } finally {
    rmSync(demoDir, { recursive: true, force: true });
  }
});
