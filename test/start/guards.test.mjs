// Every guard of start-guard/start, allow and deny, over HTTP against the production build of the
// test app: statuses, the x-start-guard-error header, the error as Start's client decodes it,
// handlers that never run when refused, Cache-Control and the sliding re-issue.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SECRET, client, startApp } from './app.mjs';

const { isStartGuardError } = client.core;
let app;
before(async () => {
  app = await startApp();
});
after(() => app?.stop());

const alice = () => client.mintSession(SECRET, 'alice').cookie; // admin
const bob = () => client.mintSession(SECRET, 'bob').cookie; // member

function assertRefused(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get('x-start-guard-error'), code);
  // What the browser gets: the error itself, code and status kept by the adapter.
  assert.ok(isStartGuardError(r.body?.error, code), r.text);
  assert.equal(r.body.error.status, status);
  assert.ok(r.body.error.message.startsWith(code));
  assert.ok(!('result' in r.body));
}

test('auth.middleware: 401 without a session, for GET and POST, and the handler never runs', async () => {
  const before = await app.handlerCalls();
  assertRefused(await app.call('whoami'), 401, 'ERR_UNAUTHENTICATED');
  assertRefused(
    await app.call('whoamiPost', { method: 'POST', data: { note: 'x' } }),
    401,
    'ERR_UNAUTHENTICATED',
  );
  const after = await app.handlerCalls();
  assert.equal(after.whoami ?? 0, before.whoami ?? 0);
  assert.equal(after.whoamiPost ?? 0, before.whoamiPost ?? 0);
});

test('auth.middleware: a tampered, foreign or unknown-user cookie is a 401', async () => {
  const good = alice();
  const tampered = good.slice(0, -3) + (good.endsWith('AAA') ? 'BBB' : 'AAA');
  assertRefused(await app.call('whoami', { cookie: tampered }), 401, 'ERR_UNAUTHENTICATED');
  const foreign = client.mintSession('another-secret-another-secret-0123456789', 'alice').cookie;
  assertRefused(await app.call('whoami', { cookie: foreign }), 401, 'ERR_UNAUTHENTICATED');
  // loadUser returns null for a user that does not exist (deleted): no user, no access.
  const ghost = client.mintSession(SECRET, 'ghost').cookie;
  assertRefused(await app.call('whoami', { cookie: ghost }), 401, 'ERR_UNAUTHENTICATED');
  // Two cookies of the session's name read as none.
  assertRefused(await app.call('whoami', { cookie: `${alice()}; ${bob()}` }), 401, 'ERR_UNAUTHENTICATED');
});

test('auth.middleware: a valid session reaches the handler with context.user and context.session', async () => {
  const { cookie, session } = client.mintSession(SECRET, 'alice');
  const r = await app.call('whoami', { cookie });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.result, { id: 'alice', name: 'Alice', sessionId: session.id });
  assert.equal(r.headers.get('x-start-guard-error'), null);
  const p = await app.call('whoamiPost', { method: 'POST', data: { note: 'hello' }, cookie });
  assert.deepEqual(p.body.result, { id: 'alice', note: 'hello' });
});

test('responses that read a session are Cache-Control: no-store; others are left alone', async () => {
  const r = await app.call('whoami', { cookie: alice() });
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const page = await app.fetch('/', { headers: { cookie: alice() } });
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('cache-control'), 'no-store');
  const anonymous = await app.fetch('/');
  assert.notEqual(anonymous.headers.get('cache-control'), 'no-store');
});

test('a session past half its idle window is re-issued once (same id), on a function call and on a page', async () => {
  const old = client.mintSession(SECRET, 'alice', { nowMs: Date.now() - 20 * 60_000 });
  const r = await app.call('whoami', { cookie: old.cookie });
  assert.equal(r.status, 200, r.text);
  const cookies = r.headers.getSetCookie();
  assert.equal(cookies.length, 1, cookies.join('\n'));
  assert.match(cookies[0], /^__Host-session=v4\.local\./);
  assert.match(cookies[0], /HttpOnly/i);
  assert.equal(r.body.result.sessionId, old.session.id);
  const fresh = cookies[0].split(';')[0];
  const again = await app.call('whoami', { cookie: fresh });
  assert.deepEqual(again.headers.getSetCookie(), []);
  const page = await app.fetch('/', { headers: { cookie: old.cookie } });
  assert.equal(page.headers.getSetCookie().length, 1);
});

test('auth.optional: nulls without a session, the user with one', async () => {
  const anon = await app.call('maybeMe');
  assert.equal(anon.status, 200, anon.text);
  assert.deepEqual(anon.body.result, { id: null });
  const me = await app.call('maybeMe', { cookie: bob() });
  assert.deepEqual(me.body.result, { id: 'bob' });
});

test('requireRole: 403 ERR_FORBIDDEN for a member, 401 without a session, 200 for an admin', async () => {
  assertRefused(await app.call('adminOnly', { method: 'POST', cookie: bob() }), 403, 'ERR_FORBIDDEN');
  assertRefused(await app.call('adminOnly', { method: 'POST' }), 401, 'ERR_UNAUTHENTICATED');
  const ok = await app.call('adminOnly', { method: 'POST', cookie: alice() });
  assert.deepEqual(ok.body.result, { admin: 'alice' });
});

test('requireWhere: the predicate sees the user and the data', async () => {
  const ok = await app.call('ownDocument', { data: { owner: 'bob' }, cookie: bob() });
  assert.deepEqual(ok.body.result, { owner: 'bob' });
  assertRefused(
    await app.call('ownDocument', { data: { owner: 'alice' }, cookie: bob() }),
    403,
    'ERR_FORBIDDEN',
  );
});

test('requireFresh: 403 ERR_REAUTH_REQUIRED when the sign-in is older than allowed', async () => {
  const stale = client.mintSession(SECRET, 'alice', {
    authTime: Math.floor(Date.now() / 1000) - 3600,
  }).cookie;
  assertRefused(
    await app.call('recentSignIn', { method: 'POST', cookie: stale }),
    403,
    'ERR_REAUTH_REQUIRED',
  );
  const ok = await app.call('recentSignIn', { method: 'POST', cookie: alice() });
  assert.deepEqual(ok.body.result, { ok: true });
});

test('rateLimit (createRateLimiter, keyed by the client under trustProxy): 429 with Retry-After per client', async () => {
  // Each test client is its own address behind the loopback proxy the app trusts.
  const client = (ip) => ({ 'x-forwarded-for': ip });
  const net = `2001:db8:${(process.pid % 0xffff).toString(16)}:${(Date.now() % 0xffff).toString(16)}`;
  for (let i = 0; i < 3; i++) {
    const r = await app.call('limited', {
      method: 'POST',
      headers: client(`${net}::${i + 1}`),
      cookie: alice(),
    });
    assert.equal(r.status, 200, r.text);
  }
  const before = (await app.handlerCalls()).limited;
  // Another address of the same IPv6 /64 is the same client (limitKey), so it is refused too.
  const r = await app.call('limited', { method: 'POST', headers: client(`${net}::99`), cookie: alice() });
  assertRefused(r, 429, 'ERR_RATE_LIMITED');
  const retry = Number(r.headers.get('retry-after'));
  assert.ok(retry >= 55 && retry <= 60, `Retry-After ${retry}`);
  assert.equal((await app.handlerCalls()).limited, before);
  // A client in another network, and a spoofed left-most hop, do not share the bucket.
  const other = await app.call('limited', {
    method: 'POST',
    headers: client('198.51.100.77'),
    cookie: alice(),
  });
  assert.equal(other.status, 200, other.text);
  const spoofed = await app.call('limited', {
    method: 'POST',
    headers: client(`${net}::1, 198.51.100.78`),
    cookie: alice(),
  });
  assert.equal(spoofed.status, 200, 'the rightmost untrusted hop is the client, not what it wrote');
});

test('auth.clientAddress(): the rightmost untrusted X-Forwarded-For hop, IPv6 grouped by /64', async () => {
  const r = await app.call('clientKey', { headers: { 'x-forwarded-for': '203.0.113.9, 2001:db8:1:2::77' } });
  assert.deepEqual(r.body.result, { ip: '2001:db8:1:2::77', limitKey: '2001:db8:1:2::/64' });
  const direct = await app.call('clientKey');
  assert.deepEqual(direct.body.result, { ip: '127.0.0.1', limitKey: '127.0.0.1' });
});

test("protect: 'all': unlisted functions without middleware are refused and never run; listed ones answer", async () => {
  const before = await app.handlerCalls();
  assertRefused(await app.call('unlisted', { method: 'POST' }), 401, 'ERR_UNAUTHENTICATED');
  assertRefused(await app.call('unlistedGet'), 401, 'ERR_UNAUTHENTICATED');
  const after = await app.handlerCalls();
  assert.equal(after.unlisted ?? 0, before.unlisted ?? 0);
  assert.equal(after.unlistedGet ?? 0, before.unlistedGet ?? 0);
  // With a session the same functions run.
  const ok = await app.call('unlisted', { method: 'POST', cookie: bob() });
  assert.deepEqual(ok.body.result, { secret: 'unlisted data' });
  // Public by reference (a GET) and by 'file#name' (a POST).
  assert.deepEqual((await app.call('openByRef')).body.result, { open: 'ref' });
  assert.deepEqual((await app.call('openByName', { method: 'POST' })).body.result, { open: 'name' });
});

test('server routes: auth.requestMiddleware answers 401 JSON without a session, the handler with one', async () => {
  const r = await app.fetch('/api/me');
  assert.equal(r.status, 401);
  assert.equal(r.headers.get('x-start-guard-error'), 'ERR_UNAUTHENTICATED');
  assert.equal(JSON.parse(r.text).error.code, 'ERR_UNAUTHENTICATED');
  const ok = await app.fetch('/api/me', { headers: { cookie: alice() } });
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.text), { id: 'alice' });
  assert.equal(ok.headers.get('cache-control'), 'no-store');
});
