// Password reset and e-mail verification inside server functions (start-guard/start's helpers over
// the core flows), over HTTP against the production build: the same answer for known and unknown
// addresses, 429 with Retry-After, the reset page's headers, and a completed reset ending every
// session of the user.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SECRET, client, startApp } from './app.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(() => app?.stop());

let nextClient = 1;
const freshClient = () => `198.19.${process.pid % 250}.${nextClient++ % 250}`;
const as = (ip) => ({ 'x-forwarded-for': ip });
const requestReset = (email, ip = freshClient()) =>
  app.call('requestReset', { method: 'POST', data: { email }, headers: as(ip) });
const completeReset = (token, password, cookie) =>
  app.call('completeReset', {
    method: 'POST',
    data: { token, password },
    cookie,
    headers: as(freshClient()),
  });
const mails = async () => (await app.call('outbox')).body.result;
const tokenOf = (mail) => new URL(mail.url).searchParams.get('token');
const observable = (r) => ({
  status: r.status,
  body: r.body?.result ?? r.body?.error?.message,
  code: r.headers.get('x-start-guard-error'),
  retryAfter: r.headers.get('retry-after') && 'set',
  referrerPolicy: r.headers.get('referrer-policy'),
  cacheControl: r.headers.get('cache-control'),
});
const whoami = async (cookie) => (await app.call('whoami', { cookie })).status;

test('requestReset: the same answer for a known and an unknown address; only the known one gets mail', async () => {
  const before = (await mails()).length;
  const known = await requestReset('Alice@Example.com');
  const unknown = await requestReset('nobody@example.com');
  assert.equal(known.status, 200, known.text);
  assert.deepEqual(known.body.result, { ok: true });
  assert.deepEqual(observable(unknown), observable(known));
  assert.equal(known.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(known.headers.get('cache-control'), 'no-store');
  const sent = (await mails()).slice(before);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].to, 'alice@example.com', 'the address on record');
  // The link's origin is configuration, never the request's Host.
  assert.match(sent[0].url, /^https:\/\/app\.example\/reset-password\?token=/);
});

test('requestReset limits: per client, then per address; 429 with Retry-After alike for known and unknown', async () => {
  const sequence = async (email) => {
    const ip = freshClient();
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(observable(await requestReset(email, ip)));
    return seen;
  };
  const known = await sequence('bob@example.com');
  const unknown = await sequence('nobody-2@example.com');
  assert.deepEqual(
    known.map((o) => o.status),
    [200, 200, 200, 429],
  );
  assert.equal(known[3].code, 'ERR_RATE_LIMITED');
  assert.equal(known[3].retryAfter, 'set');
  assert.deepEqual(unknown, known);
  // One inbox cannot be flooded from many clients: the address's own bucket (an address without
  // an account is limited the same way).
  const flood = [];
  for (let i = 0; i < 4; i++) flood.push((await requestReset('flood@example.com')).status);
  assert.deepEqual(flood, [200, 200, 200, 429]);
});

test('the reset page: Referrer-Policy no-referrer and no-store; the loader checks the link', async () => {
  assert.equal((await requestReset('carol@example.com')).status, 200);
  const mail = (await mails()).findLast((m) => m.to === 'carol@example.com' && m.kind === 'reset');
  const page = await app.fetch(`/reset-password?token=${encodeURIComponent(tokenOf(mail))}`, {
    headers: { accept: 'text/html' },
  });
  assert.equal(page.status, 200);
  assert.match(page.text, /Choose a new password/);
  assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(page.headers.get('cache-control'), 'no-store');
  assert.match(page.text, /<meta name="referrer" content="no-referrer"/);
  const bad = await app.fetch('/reset-password?token=not-a-token', { headers: { accept: 'text/html' } });
  assert.match(bad.text, /no longer valid/);
  assert.equal(bad.headers.get('referrer-policy'), 'no-referrer');
});

test('completing a reset ends every session of the user (the old cookie is refused) and signs no one in', async () => {
  // Alice is signed in twice: a minted session and a password sign-in.
  const minted = client.mintSession(SECRET, 'alice').cookie;
  const login = await app.call('passwordLogin', {
    method: 'POST',
    data: { identifier: 'alice@example.com', password: 'alice-password-1' },
    headers: as(freshClient()),
  });
  assert.equal(login.status, 200, login.text);
  const signedIn = login.headers.getSetCookie()[0].split(';')[0];
  const bob = client.mintSession(SECRET, 'bob').cookie;
  assert.equal(await whoami(minted), 200);

  assert.equal((await requestReset('alice@example.com')).status, 200);
  const token = tokenOf((await mails()).findLast((m) => m.to === 'alice@example.com'));
  const r = await completeReset(token, 'alice-new-password-2', signedIn);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.result, true);
  assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
  // This browser's cookie is cleared; no new session is issued.
  const set = r.headers.getSetCookie();
  assert.equal(set.length, 1, set.join('\n'));
  assert.match(set[0], /^__Host-session=;.*Max-Age=0/i);
  assert.equal(await whoami(minted), 401);
  assert.equal(await whoami(signedIn), 401);
  assert.equal(await whoami(bob), 200, "other users' sessions go on");
  // The new password works, the old one no longer does; the link is spent.
  const withOld = await app.call('passwordLogin', {
    method: 'POST',
    data: { identifier: 'alice@example.com', password: 'alice-password-1' },
    headers: as(freshClient()),
  });
  assert.equal(withOld.status, 401);
  const withNew = await app.call('passwordLogin', {
    method: 'POST',
    data: { identifier: 'alice@example.com', password: 'alice-new-password-2' },
    headers: as(freshClient()),
  });
  assert.equal(withNew.status, 200, withNew.text);
  const replay = await completeReset(token, 'another-password-3');
  assert.equal(replay.status, 200);
  assert.equal(replay.body.result, false);
  assert.equal((await completeReset('garbage', 'another-password-3')).body.result, false);
});

test("a new password the policy refuses is a 400 with the policy's code, and the link still works", async () => {
  const before = (await mails()).length;
  assert.equal((await requestReset('carol@example.com')).status, 200);
  const sent = (await mails()).slice(before);
  assert.equal(sent.length, 1);
  const token = tokenOf(sent[0]);
  const short = await completeReset(token, 'short');
  assert.equal(short.status, 400, short.text);
  assert.equal(short.headers.get('x-start-guard-error'), 'ERR_PASSWORD_TOO_SHORT');
  assert.equal(short.body.error.code, 'ERR_PASSWORD_TOO_SHORT');
  const ok = await completeReset(token, 'carol-new-password-2');
  assert.equal(ok.body.result, true, ok.text);
});

test("e-mail verification: the signed-in user's link; another user's link is refused while signed in", async () => {
  const bob = client.mintSession(SECRET, 'bob').cookie;
  const asked = await app.call('requestVerification', {
    method: 'POST',
    cookie: bob,
    headers: as(freshClient()),
  });
  assert.equal(asked.status, 200, asked.text);
  assert.deepEqual(asked.body.result, { ok: true });
  const mail = (await mails()).findLast((m) => m.kind === 'verify' && m.to === 'bob@example.com');
  assert.match(mail.url, /^https:\/\/app\.example\/verify-email\?token=/);
  const token = tokenOf(mail);
  const complete = (cookie) =>
    app.call('completeVerification', { method: 'POST', data: { token }, cookie, headers: as(freshClient()) });
  const wrongUser = await complete(client.mintSession(SECRET, 'alice').cookie);
  assert.equal(wrongUser.status, 200, wrongUser.text);
  assert.equal(wrongUser.body.result, null);
  const ok = await complete(undefined);
  assert.deepEqual(ok.body.result, { userId: 'bob', email: 'bob@example.com' });
  assert.equal((await complete(bob)).body.result, null, 'used once');
  // Without a session the request is refused before it runs (the function carries the middleware).
  assert.equal((await app.call('requestVerification', { method: 'POST' })).status, 401);
});

test('e-mail verification check: the same condition as complete (signed in as another user: null), without using the link up', async () => {
  const bob = client.mintSession(SECRET, 'bob').cookie;
  assert.equal(
    (await app.call('requestVerification', { method: 'POST', cookie: bob, headers: as(freshClient()) }))
      .status,
    200,
  );
  const token = tokenOf((await mails()).findLast((m) => m.kind === 'verify' && m.to === 'bob@example.com'));
  const check = (cookie) =>
    app.call('checkVerification', { data: { token }, cookie, headers: as(freshClient()) });
  const alice = client.mintSession(SECRET, 'alice').cookie;
  const wrongUser = await check(alice);
  assert.equal(wrongUser.status, 200, wrongUser.text);
  assert.equal(wrongUser.body.result, null, "another user's link, while signed in");
  assert.equal(wrongUser.headers.get('referrer-policy'), 'no-referrer');
  const expected = { userId: 'bob', email: 'bob@example.com' };
  assert.deepEqual((await check(undefined)).body.result, expected);
  assert.deepEqual((await check(bob)).body.result, expected);
  assert.deepEqual((await check(undefined)).body.result, expected, 'checking does not use the link up');
  assert.equal((await app.call('checkVerification', { data: { token: 'garbage' } })).body.result, null);
  const done = await app.call('completeVerification', {
    method: 'POST',
    data: { token },
    headers: as(freshClient()),
  });
  assert.deepEqual(done.body.result, expected);
  assert.equal((await check(undefined)).body.result, null, 'used up by complete');
});
