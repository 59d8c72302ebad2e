// Pages whose loaders call guarded server functions during SSR: the page status is not set by
// the guard; onUnauthenticated decides (a redirect with returnTo, or the error boundary).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SECRET, client, startApp } from './app.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(() => app?.stop());
const html = { accept: 'text/html' };

test('without a session, a page behind a guarded loader redirects to onUnauthenticated with returnTo', async () => {
  const r = await app.fetch('/private?tab=2', { headers: html });
  assert.equal(r.status, 307, r.text.slice(0, 300));
  assert.equal(r.headers.get('location'), '/login?returnTo=%2Fprivate%3Ftab%3D2');
  assert.equal(r.headers.get('x-start-guard-error'), null);
});

test('with a session, the page renders the user, no-store', async () => {
  const { cookie } = client.mintSession(SECRET, 'alice');
  const r = await app.fetch('/private', { headers: { ...html, cookie } });
  assert.equal(r.status, 200);
  assert.match(r.text, /Signed in as <!-- -->Alice|Signed in as Alice/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
});

test("onUnauthenticated: 'error': the route's error boundary gets the StartGuardError; the guard sets no 401", async () => {
  const r = await app.fetch('/strict', { headers: html });
  assert.notEqual(r.status, 401);
  assert.equal(r.headers.get('x-start-guard-error'), null);
  assert.match(r.text, /guard: ERR_UNAUTHENTICATED/);
  const { cookie } = client.mintSession(SECRET, 'bob');
  const ok = await app.fetch('/strict', { headers: { ...html, cookie } });
  assert.equal(ok.status, 200);
  assert.match(ok.text, /Strict page for <!-- -->bob|Strict page for bob/);
});

test('the sign-in page itself calling a guarded function gets the error, not a redirect to itself (no loop)', async () => {
  // Start's own search encoding (?guarded=1 is first redirected to it by the router)
  const r = await app.fetch('/login?guarded=%221%22', { headers: html });
  assert.notEqual(r.status, 307, `redirected to ${r.headers.get('location')}`);
  assert.match(r.text, /sign-in page error: (<!-- -->)?ERR_UNAUTHENTICATED/);
  const plain = await app.fetch('/login', { headers: html });
  assert.equal(plain.status, 200);
});
