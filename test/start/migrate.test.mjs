// migrate: { iron }: cookies sealed by iron-session 9 (made under Node 22, which it needs) and by
// iron-webcrypto in the format of Start's removed useSession become start-guard sessions; both
// cookies (the new one, the old one cleared) are set in one response of the production build;
// nothing is migrated after `until`, from a forged seal, past the absolute timeout, or after the
// migrated session was signed out.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { IRON_PASSWORD, appDir, startApp } from './app.mjs';

const node22 = process.env.START_GUARD_NODE22;
const TTL = 14 * 24 * 3600; // iron-session's default ttl, and migrate.iron.ttlSeconds in the app
const HOUR = 3600_000;

/** A cookie as iron-session 9 writes it (getIronSession + save), made by Node 22. */
function ironSessionCookie(fields) {
  assert.ok(node22, 'START_GUARD_NODE22 is set by scripts/start-app.sh');
  const script = `
    import { getIronSession } from 'iron-session';
    const res = new Response();
    const session = await getIronSession(new Request('https://app.example/'), res,
      { password: ${JSON.stringify(IRON_PASSWORD)}, cookieName: 'start' });
    Object.assign(session, ${JSON.stringify(fields)});
    await session.save();
    console.log(JSON.stringify({ node: process.version, setCookie: res.headers.getSetCookie() }));`;
  const out = JSON.parse(
    execFileSync(node22, ['--input-type=module', '-e', script], { cwd: appDir, encoding: 'utf8' }),
  );
  assert.match(out.node, /^v2[2-9]\./);
  assert.equal(out.setCookie.length, 1);
  return out.setCookie[0].split(';')[0];
}

/** The `start` cookie of Start's useSession (h3's `{ id, createdAt, data }`), sealed by iron-webcrypto. */
async function startCookie(data, { createdAt = Date.now(), maxAge = TTL, password = IRON_PASSWORD } = {}) {
  const iron = await import(createRequire(join(appDir, 'package.json')).resolve('iron-webcrypto'));
  const sealed = await iron.seal({ id: randomUUID(), createdAt, data }, password, {
    ...iron.defaults,
    ttl: maxAge * 1000,
  });
  return `start=${encodeURIComponent(sealed)}`;
}

const newCookie = (r) => r.headers.getSetCookie().find((c) => c.startsWith('__Host-session='));
const oldCleared = (r) => r.headers.getSetCookie().some((c) => /^start=;/.test(c) && /Max-Age=0/i.test(c));

describe('during the migration', () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.stop());

  test('an iron-session 9 cookie becomes a start-guard session; both cookies are set in one response', async () => {
    const old = ironSessionCookie({ userId: 'bob', theme: 'iron' });
    assert.match(old, /^start=Fe26\.2\*1\*.*~2$/);
    const sealedAt = Date.now();
    const r = await app.call('getSession', { cookie: old });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.result.user.name, 'Bob');
    const issued = newCookie(r);
    assert.ok(issued, r.headers.getSetCookie().join('\n'));
    assert.ok(oldCleared(r), 'the old cookie is cleared in the same response');
    const { session } = r.body.result;
    // createdAt = the seal's expiry − ttl (when iron-session sealed it); authTime unknown.
    assert.ok(Math.abs(session.createdAtMs - sealedAt) < 30_000, `${session.createdAtMs} vs ${sealedAt}`);
    assert.equal(session.authTime, 0);
    // The new cookie alone is the session, with the old data (userId taken out).
    const me = await app.call('sessionData', { cookie: issued.split(';')[0] });
    assert.equal(me.status, 200, me.text);
    assert.deepEqual(me.body.result.data, { theme: 'iron' });
    assert.equal(me.body.result.sessionId, session.id);
    // A step-up check always asks again: nobody knows when the old sign-in was.
    const fresh = await app.call('recentSignIn', { method: 'POST', cookie: issued.split(';')[0] });
    assert.equal(fresh.status, 403);
    assert.equal(fresh.headers.get('x-start-guard-error'), 'ERR_REAUTH_REQUIRED');
  });

  test("Start's useSession cookie (iron-webcrypto, { id, createdAt, data }) migrates, dated by its createdAt", async () => {
    const createdAt = Date.now() - 2 * HOUR;
    const r = await app.call('getSession', {
      cookie: await startCookie({ userId: 'alice', theme: 'start' }, { createdAt }),
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.result.user.name, 'Alice');
    assert.equal(r.body.result.session.createdAtMs, createdAt);
    // The absolute deadline counts from there: 12 hours after the old session began.
    assert.equal(r.body.result.session.expiresAt, Math.floor(createdAt / 1000) + 12 * 3600);
    assert.ok(newCookie(r) && oldCleared(r));
    // useSession without maxAge sealed with no expiry: its createdAt alone dates it.
    const forever = await startCookie({ userId: 'bob' }, { createdAt, maxAge: 0 });
    assert.doesNotMatch(decodeURIComponent(forever), /\*\d{13}\*/, 'no expiry in this seal');
    const f = await app.call('getSession', { cookie: forever });
    assert.equal(f.body.result.session.createdAtMs, createdAt);
  });

  test('a page request migrates too: both cookies on the SSR response of the production build', async () => {
    const old = await startCookie({ userId: 'alice' });
    const r = await app.fetch('/private', { headers: { accept: 'text/html', cookie: old } });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.match(r.text, /Signed in as <!-- -->Alice|Signed in as Alice/);
    assert.equal(r.headers.getSetCookie().length, 2, r.headers.getSetCookie().join('\n'));
    assert.ok(newCookie(r) && oldCleared(r));
  });

  test('a forged, re-keyed or damaged old cookie is no session, and is left alone', async () => {
    const good = await startCookie({ userId: 'alice' });
    const other = await startCookie(
      { userId: 'alice' },
      { password: 'another-password-another-password-0123' },
    );
    const tampered = good.replace(/(\*[A-Za-z0-9_-]{8})[A-Za-z0-9_-]/, '$1A');
    for (const cookie of [other, tampered, 'start=Fe26.2*garbage', 'start=not-a-seal']) {
      const r = await app.call('whoami', { cookie });
      assert.equal(r.status, 401, cookie);
      assert.deepEqual(r.headers.getSetCookie(), [], 'nothing issued, nothing cleared');
    }
  });

  test('an old session past the absolute timeout, or without a user, is not migrated (and is cleared)', async () => {
    const stale = await startCookie({ userId: 'alice' }, { createdAt: Date.now() - 13 * HOUR });
    const r = await app.call('whoami', { cookie: stale });
    assert.equal(r.status, 401);
    assert.equal(newCookie(r), undefined);
    assert.ok(oldCleared(r));
    const anonymous = await app.call('whoami', { cookie: ironSessionCookie({ theme: 'no user' }) });
    assert.equal(anonymous.status, 401);
    assert.ok(oldCleared(anonymous));
  });

  test('a start-guard cookie wins: with both, the old one is not read', async () => {
    const old = await startCookie({ userId: 'alice' });
    const [issued] = (await app.call('signInAs', { method: 'POST', data: { userId: 'bob' } })).headers
      .getSetCookie()
      .map((c) => c.split(';')[0]);
    const r = await app.call('whoami', { cookie: `${issued}; ${old}` });
    assert.equal(r.body.result.id, 'bob');
    assert.deepEqual(r.headers.getSetCookie(), []);
  });

  test('signed out once, a migrated session stays out: the same old cookie does not migrate again', async () => {
    const old = await startCookie({ userId: 'bob' });
    const first = await app.call('whoami', { cookie: old });
    assert.equal(first.status, 200, first.text);
    const again = await app.call('whoami', { cookie: old });
    assert.equal(again.body.result.sessionId, first.body.result.sessionId, 'one old cookie, one session');
    const out = await app.call('signOut', {
      method: 'POST',
      data: { scope: 'this' },
      cookie: newCookie(first).split(';')[0],
    });
    assert.equal(out.status, 200, out.text);
    // A copy of the old cookie (the browser kept it, or someone took it) is refused now.
    assert.equal((await app.call('whoami', { cookie: old })).status, 401);
    // 'all' covers every old cookie of the user: they date from before the watermark.
    const other = await startCookie({ userId: 'carol' });
    const mine = newCookie(await app.call('whoami', { cookie: await startCookie({ userId: 'carol' }) }));
    await app.call('signOut', { method: 'POST', data: { scope: 'all' }, cookie: mine.split(';')[0] });
    assert.equal((await app.call('whoami', { cookie: other })).status, 401);
  });
});

describe('after `until`', () => {
  let app;
  before(async () => {
    app = await startApp({ MIGRATE_UNTIL: String(Math.floor(Date.now() / 1000) - 1) });
  });
  after(() => app?.stop());

  test('an ill-formed password (a lone surrogate, U+FFFD in UTF-8: a public key) is refused at createAuth', () => {
    // start-guard/start is ESM and resolves from the app's node_modules: a child process there.
    const script = `
      import { createMemoryRevocationStore, createSessionManager } from 'start-guard';
      import { createAuth } from 'start-guard/start';
      const sessions = createSessionManager({
        secrets: 'a-test-secret-of-at-least-thirty-two-bytes',
        revocation: createMemoryRevocationStore(),
      });
      const make = (password) => createAuth({ sessions, loadUser: () => null, toClient: () => ({}),
        migrate: { iron: { password, ttlSeconds: ${TTL}, until: Math.floor(Date.now() / 1000) + 60 } } });
      const out = [];
      for (const password of ['\\uD800'.repeat(32), { 1: 'x'.repeat(32) + '\\uDC00' }, '\\u{1F600}'.repeat(16)]) {
        try { make(password); out.push('ok'); } catch (e) { out.push(e.code + (/well-formed/.test(e.message) ? '' : ' ' + e.message)); }
      }
      console.log(out.join(' | '));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: appDir,
      encoding: 'utf8',
    });
    // Surrogate pairs are fine; a lone one in the string or in the map form is refused.
    assert.equal(out.trim(), 'ERR_INVALID_OPTION | ERR_INVALID_OPTION | ok');
  });

  test('old cookies are ignored: no session, nothing set', async () => {
    for (const cookie of [await startCookie({ userId: 'alice' }), ironSessionCookie({ userId: 'bob' })]) {
      const r = await app.call('whoami', { cookie });
      assert.equal(r.status, 401);
      assert.deepEqual(r.headers.getSetCookie(), []);
      assert.equal((await app.call('getSession', { cookie })).body.result, null);
    }
  });
});
