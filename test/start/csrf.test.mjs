// CSRF over HTTP: server functions (GET and POST) and server routes, Fetch Metadata, Origin,
// Referer, `Origin: null`, same-site, cross-site, allowed origins, exempt paths; and a server
// whose src/start.ts forgot startOptions(), where every guard fails closed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SECRET, client, startApp } from './app.mjs';

const { isStartGuardError } = client.core;
const cookie = () => client.mintSession(SECRET, 'alice').cookie;

function assertCsrf(r) {
  assert.equal(r.status, 403, r.text);
  assert.equal(r.headers.get('x-start-guard-error'), 'ERR_CSRF');
  assert.ok(isStartGuardError(r.body?.error, 'ERR_CSRF'), r.text);
}

describe('with startOptions()', () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.stop());

  for (const method of ['GET', 'POST']) {
    const fn = method === 'GET' ? 'whoami' : 'whoamiPost';
    const data = method === 'GET' ? undefined : { note: 'n' };
    test(`${method} server function: same origin passes, every cross-site form is refused before auth`, async () => {
      const before = (await app.handlerCalls())[fn] ?? 0;
      const call = (origin, headers) => app.call(fn, { method, data, cookie: cookie(), origin, headers });
      assert.equal((await call(app.base)).status, 200);
      assert.equal((await call(null, { 'sec-fetch-site': 'same-origin' })).status, 200);
      assert.equal((await call(null, { referer: `${app.base}/page` })).status, 200);
      assertCsrf(await call('https://evil.example'));
      assertCsrf(await call('null'));
      assertCsrf(await call(null)); // no Origin, no Sec-Fetch-Site, no Referer (curl)
      assertCsrf(await call(null, { referer: 'https://evil.example/x' }));
      assertCsrf(await call(app.base, { 'sec-fetch-site': 'same-site' }));
      assertCsrf(await call(app.base, { 'sec-fetch-site': 'cross-site' }));
      assertCsrf(await call(app.base, { 'sec-fetch-site': 'none' }));
      // A listed origin may call, from another site too.
      assert.equal((await call('https://partner.example', { 'sec-fetch-site': 'cross-site' })).status, 200);
      assert.equal((await call('https://partner.example')).status, 200);
      // Refused calls never reached the handler (4 allowed calls above ran it).
      assert.equal((await app.handlerCalls())[fn], before + 5);
    });
  }

  test('a cross-site call to a public function is refused too (CSRF runs before protect)', async () => {
    assertCsrf(await app.call('openByName', { method: 'POST', origin: 'https://evil.example' }));
  });

  test('server routes: unsafe methods checked, safe methods and exempt paths not', async () => {
    const evil = { origin: 'https://evil.example' };
    const r = await app.fetch('/api/open', { method: 'POST', headers: evil });
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('x-start-guard-error'), 'ERR_CSRF');
    assert.equal(
      (await app.fetch('/api/open', { method: 'POST', headers: { origin: app.base } })).status,
      200,
    );
    assert.equal((await app.fetch('/api/open', { headers: evil })).status, 200);
    assert.equal((await app.fetch('/api/webhook', { method: 'POST', headers: evil })).status, 200);
    const me = await app.fetch('/api/me', { method: 'POST', headers: { ...evil, cookie: cookie() } });
    assert.equal(me.status, 403);
  });
});

describe('src/start.ts without startOptions() (forgotten)', () => {
  let app;
  before(async () => {
    app = await startApp({ START_GUARD_TEST_NO_START_OPTIONS: '1' });
  });
  after(() => app?.stop());

  test('guarded functions fail closed with ERR_CSRF naming the fix, even with a valid session', async () => {
    const before = await app.handlerCalls();
    for (const [fn, method] of [
      ['whoami', 'GET'],
      ['whoamiPost', 'POST'],
      ['maybeMe', 'GET'],
      ['adminOnly', 'POST'],
    ]) {
      const r = await app.call(fn, {
        method,
        data: method === 'POST' ? { note: 'n' } : undefined,
        cookie: cookie(),
      });
      assert.equal(r.status, 403, `${fn}: ${r.text}`);
      assert.equal(r.headers.get('x-start-guard-error'), 'ERR_CSRF');
      assert.match(r.text, /startOptions/);
    }
    const after = await app.handlerCalls();
    assert.deepEqual(after, before);
  });

  test('the flows fail closed too: no sign-in, sign-out or session view without a CSRF check', async () => {
    for (const [fn, data] of [
      ['signInAs', { userId: 'alice' }],
      ['passwordLogin', { identifier: 'alice@example.com', password: 'alice-password-1' }],
      ['signOut', { scope: 'all' }],
      ['requestReset', { email: 'alice@example.com' }],
    ]) {
      const r = await app.call(fn, { method: 'POST', data, cookie: cookie() });
      assert.equal(r.status, 403, `${fn}: ${r.text}`);
      assert.equal(r.headers.get('x-start-guard-error'), 'ERR_CSRF');
      assert.deepEqual(r.headers.getSetCookie(), [], `${fn} set no cookie`);
    }
    const view = await app.call('getSession', { cookie: cookie() });
    assert.equal(view.status, 403);
  });

  test('a guarded server route fails closed too', async () => {
    const r = await app.fetch('/api/me', { headers: { cookie: cookie() } });
    assert.equal(r.status, 403);
    assert.equal(JSON.parse(r.text).error.code, 'ERR_CSRF');
  });
});
