// signIn, updateSession, signOut ('this', 'others', 'all') and getSession over HTTP against the
// production build: the cookies each sends, which old cookies stop working, and what getSession
// lets the browser see.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SECRET, client, startApp } from './app.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(() => app?.stop());

const mint = (userId, options) => client.mintSession(SECRET, userId, options);
const post = (name, data, cookie) => app.call(name, { method: 'POST', data, cookie });
/** The session cookies a response sets: { cookie: 'name=value', raw } for each. */
const sessionCookies = (r) =>
  r.headers
    .getSetCookie()
    .filter((c) => c.startsWith('__Host-session='))
    .map((raw) => ({ raw, cookie: raw.split(';')[0], cleared: /Max-Age=0/i.test(raw) }));
const whoami = async (cookie) => {
  const r = await app.call('whoami', { cookie });
  return r.status === 200 ? r.body.result : r.status;
};

test('signIn: a new session cookie, usable at once; getSession in the same request already sees it', async () => {
  const r = await post('signInAs', { userId: 'bob' });
  assert.equal(r.status, 200, r.text);
  const [issued] = sessionCookies(r);
  assert.ok(issued && !issued.cleared, r.headers.getSetCookie().join('\n'));
  assert.match(issued.raw, /HttpOnly/i);
  assert.doesNotMatch(issued.raw, /Max-Age/i, 'a browser-session cookie by default');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const { sessionId, view } = r.body.result;
  assert.equal(view.session.id, sessionId);
  assert.deepEqual(view.user, { name: 'Bob', roles: ['member'] });
  assert.deepEqual(await whoami(issued.cookie), { id: 'bob', name: 'Bob', sessionId });
});

test('signIn revokes the session the request came with (a new id; the old cookie is refused)', async () => {
  const old = mint('alice');
  assert.equal((await whoami(old.cookie)).id, 'alice');
  const r = await post('signInAs', { userId: 'bob' }, old.cookie);
  assert.equal(r.status, 200, r.text);
  const [issued] = sessionCookies(r);
  assert.notEqual(r.body.result.sessionId, old.session.id);
  assert.equal(await whoami(old.cookie), 401, 'the session from before the sign-in is revoked');
  assert.equal((await whoami(issued.cookie)).id, 'bob');
});

test('signIn { persistent: true }: the cookie has Max-Age', async () => {
  const r = await post('signInAs', { userId: 'alice', persistent: true });
  const [issued] = sessionCookies(r);
  assert.match(issued.raw, /Max-Age=\d+/i);
  assert.equal(r.body.result.persistent, true);
});

test('signIn from a foreign origin is refused before it runs (login CSRF): no cookie', async () => {
  const r = await app.call('signInAs', {
    method: 'POST',
    data: { userId: 'alice' },
    origin: 'https://evil.example',
  });
  assert.equal(r.status, 403);
  assert.equal(r.headers.get('x-start-guard-error'), 'ERR_CSRF');
  assert.deepEqual(sessionCookies(r), []);
});

test("getSession: null without a session; else the session without its data, and only toClient's fields", async () => {
  const anonymous = await app.call('getSession');
  assert.equal(anonymous.status, 200, anonymous.text);
  assert.equal(anonymous.body.result, null);
  const { cookie, session } = mint('alice', { authTime: Math.floor(Date.now() / 1000) - 60 });
  const r = await app.call('getSession', { cookie });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.result, {
    session: {
      id: session.id,
      userId: 'alice',
      createdAtMs: session.createdAtMs,
      authTime: session.authTime,
      idleExpiresAt: session.idleExpiresAt,
      expiresAt: session.expiresAt,
      persistent: false,
    },
    // loadUser's user has id, name and roles; toClient sends name and roles.
    user: { name: 'Alice', roles: ['admin'] },
  });
  assert.ok(!r.text.includes('dark'), 'the session data (theme) never reaches the browser');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  // A cookie whose user is gone reads as no session.
  assert.equal((await app.call('getSession', { cookie: mint('ghost').cookie })).body.result, null);
});

test('updateSession: same id, new data; the older cookie of the id keeps its own data until it expires', async () => {
  const { cookie, session } = mint('bob');
  const r = await post('setTheme', { theme: 'solarized' }, cookie);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.result, { sessionId: session.id, theme: 'solarized' });
  const [issued] = sessionCookies(r);
  const now = await app.call('sessionData', { cookie: issued.cookie });
  assert.deepEqual(now.body.result.data, { theme: 'solarized' });
  assert.equal(now.body.result.sessionId, session.id);
  const older = await app.call('sessionData', { cookie });
  assert.deepEqual(older.body.result.data, { theme: 'dark' }, 'why authorization belongs in loadUser');
  const refused = await post('setTheme', { theme: 'x' });
  assert.equal(refused.status, 401);
});

test("signOut 'this': the cookie is cleared and refused from then on; the user's other sessions go on", async () => {
  const here = mint('bob');
  const elsewhere = mint('bob');
  const r = await post('signOut', { scope: 'this' }, here.cookie);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.result.view, null, 'signed out within the same request');
  const [cleared] = sessionCookies(r);
  assert.ok(cleared?.cleared, r.headers.getSetCookie().join('\n'));
  assert.equal(await whoami(here.cookie), 401);
  assert.equal((await whoami(elsewhere.cookie)).id, 'bob');
  // Without a session, signing out is done already.
  const again = await post('signOut', {});
  assert.equal(again.status, 200, again.text);
});

test("signOut 'all': every session of the user ends, the caller's too; other users are untouched", async () => {
  const here = mint('alice');
  const phone = mint('alice');
  const laptop = mint('alice');
  const other = mint('bob');
  const r = await post('signOut', { scope: 'all' }, here.cookie);
  assert.equal(r.status, 200, r.text);
  assert.ok(sessionCookies(r)[0]?.cleared);
  for (const s of [here, phone, laptop]) assert.equal(await whoami(s.cookie), 401);
  assert.equal((await whoami(other.cookie)).id, 'bob');
  // Sign-ins after it are not affected.
  const [fresh] = sessionCookies(await post('signInAs', { userId: 'alice' }));
  assert.equal((await whoami(fresh.cookie)).id, 'alice');
});

test("signOut 'others': the other sessions end; the caller goes on under a new id, same sign-in time and deadline", async () => {
  const authTime = Math.floor(Date.now() / 1000) - 120;
  const here = mint('carol', { authTime });
  const phone = mint('carol');
  const r = await post('signOut', { scope: 'others' }, here.cookie);
  assert.equal(r.status, 200, r.text);
  const [kept] = sessionCookies(r);
  assert.ok(kept && !kept.cleared, r.headers.getSetCookie().join('\n'));
  const view = r.body.result.view;
  assert.notEqual(view.session.id, here.session.id);
  assert.equal(view.session.authTime, authTime);
  assert.equal(view.session.expiresAt, here.session.expiresAt, 'not a fresh absolute timeout');
  assert.ok(view.session.createdAtMs > here.session.createdAtMs);
  assert.equal(await whoami(phone.cookie), 401);
  assert.equal(await whoami(here.cookie), 401, "the caller's old cookie too");
  const me = await app.call('sessionData', { cookie: kept.cookie });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.body.result.sessionId, view.session.id);
  assert.deepEqual(me.body.result.data, { theme: 'dark' });
  // Without a session there is no user whose other sessions could end.
  const refused = await post('signOut', { scope: 'others' });
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get('x-start-guard-error'), 'ERR_UNAUTHENTICATED');
});
