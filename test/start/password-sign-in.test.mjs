// passwordSignIn over HTTP against the production build: a sign-in with the real limits and a real
// password hasher; the same answer (status, header, message, timing) for an unknown account and a
// wrong password; 429 with Retry-After the same way for both; a bcrypt hash upgraded at sign-in.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startApp } from './app.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(() => app?.stop());

// Every test client is its own address behind the loopback proxy the app trusts.
let nextClient = 1;
const freshClient = () => {
  const n = nextClient++;
  return `198.18.${(process.pid + n) % 250}.${n % 250}`;
};
const login = (identifier, password, ip = freshClient(), extra = {}) =>
  app.call('passwordLogin', {
    method: 'POST',
    data: { identifier, password, ...extra },
    headers: { 'x-forwarded-for': ip },
  });
/** Everything a client can observe of an answer but its timing. */
const observable = (r) => ({
  status: r.status,
  code: r.headers.get('x-start-guard-error'),
  retryAfter: r.headers.get('retry-after'),
  message: r.body?.error?.message,
  cookies: r.headers.getSetCookie().length,
});

test('the right password signs in: a session cookie, the user without its hash', async () => {
  const r = await login('alice@example.com', 'alice-password-1');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.result.fields, ['email', 'id']);
  const cookie = r.headers.getSetCookie().find((c) => c.startsWith('__Host-session='));
  assert.ok(cookie);
  const me = await app.call('whoami', { cookie: cookie.split(';')[0] });
  assert.equal(me.body.result.sessionId, r.body.result.sessionId);
  // The identifier is normalized as the limits normalize it (trim, NFKC, lower-case e-mail).
  const typed = await login('  ALICE@Example.COM ', 'alice-password-1');
  assert.equal(typed.status, 200, typed.text);
});

test('unknown account and wrong password: the same status, header, message; no cookie', async () => {
  const wrong = await login('alice@example.com', 'not-her-password');
  const unknown = await login('nobody@example.com', 'not-her-password');
  const malformed = await login('', 'x'.repeat(5000));
  assert.equal(wrong.status, 401, wrong.text);
  assert.deepEqual(observable(unknown), observable(wrong));
  assert.deepEqual(observable(malformed), observable(wrong));
  assert.equal(wrong.headers.get('x-start-guard-error'), 'ERR_INVALID_CREDENTIALS');
  assert.equal(wrong.body.error.code, 'ERR_INVALID_CREDENTIALS');
  assert.equal(wrong.headers.getSetCookie().length, 0);
});

test('limits: the 6th failed try of one client at one account is a 429 with Retry-After, known or not', async () => {
  const sequence = async (identifier, rightPassword) => {
    const ip = freshClient();
    const seen = [];
    for (let i = 0; i < 5; i++) seen.push(observable(await login(identifier, 'wrong-password-x', ip)));
    // Past the limit even the right password is refused (checking it would answer the guess).
    seen.push(observable(await login(identifier, rightPassword, ip)));
    return seen;
  };
  const known = await sequence('bob@example.com', 'bob-password-1');
  const unknown = await sequence('nobody-else@example.com', 'bob-password-1');
  assert.deepEqual(
    known.map((o) => o.status),
    [401, 401, 401, 401, 401, 429],
  );
  const last = known[5];
  assert.equal(last.code, 'ERR_RATE_LIMITED');
  assert.ok(Number(last.retryAfter) >= 55 && Number(last.retryAfter) <= 60, last.retryAfter);
  // The same answers for an account that does not exist: the limits never learn which exists.
  assert.deepEqual(
    unknown.map((o) => ({ ...o, retryAfter: o.retryAfter && 'n' })),
    known.map((o) => ({ ...o, retryAfter: o.retryAfter && 'n' })),
  );
  // Another client is not limited by this one's failures.
  const other = await login('bob@example.com', 'bob-password-1');
  assert.equal(other.status, 200, other.text);
});

test('a successful sign-in gives its try back: only failures count', async () => {
  const ip = freshClient();
  for (let i = 0; i < 4; i++) assert.equal((await login('bob@example.com', 'nope', ip)).status, 401);
  for (let i = 0; i < 3; i++)
    assert.equal((await login('bob@example.com', 'bob-password-1', ip)).status, 200);
  assert.equal((await login('bob@example.com', 'nope', ip)).status, 401, 'the 5th failure is still allowed');
  assert.equal((await login('bob@example.com', 'nope', ip)).status, 429);
});

test('a bcrypt hash is upgraded to Argon2id at sign-in (saveHash), and the new hash signs in', async () => {
  const stored = async () => (await app.call('storedHash', { data: { userId: 'carol' } })).body.result;
  assert.equal(await stored(), '$2b$10$zFhY.');
  assert.equal((await login('carol@example.com', 'wrong-password-c')).status, 401);
  assert.equal(await stored(), '$2b$10$zFhY.', 'a failed sign-in changes nothing');
  const r = await login('carol@example.com', 'carol-password-1');
  assert.equal(r.status, 200, r.text);
  assert.equal(await stored(), '$argon2id$v=');
  assert.equal((await login('carol@example.com', 'carol-password-1')).status, 200);
  assert.equal((await login('carol@example.com', 'wrong-password-c')).status, 401);
});

test('timing: unknown account vs wrong password, medians within 10% (alternating rounds)', async (t) => {
  // Each try comes from a new client, so no limit interferes. The two kinds alternate, in turns
  // whose order flips each round; each round's pair ran back to back, under the same load, so the
  // median of the pairs' ratios is what the test holds (the ratio of the two medians is reported
  // too: on this shared 2-core machine load comes in bursts longer than a pair, shorter than a run).
  const timeOne = async (identifier) => {
    const t0 = process.hrtime.bigint();
    const r = await login(identifier, 'definitely-wrong-password');
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.equal(r.status, 401);
    return ms;
  };
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  // Warm-up: the server's first tries pay for code loading and the hash pool's arenas.
  for (let i = 0; i < 3; i++) {
    await timeOne('alice@example.com');
    await timeOne('timing-nobody@example.com');
  }
  let last;
  const seen = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const known = [];
    const unknown = [];
    const ratios = [];
    for (let round = 0; round < 31; round++) {
      let k;
      let u;
      if (round % 2 === 0) {
        k = await timeOne('alice@example.com');
        u = await timeOne('timing-nobody@example.com');
      } else {
        u = await timeOne('timing-nobody@example.com');
        k = await timeOne('alice@example.com');
      }
      known.push(k);
      unknown.push(u);
      ratios.push(u / k);
    }
    last = { known: median(known), unknown: median(unknown), ratio: median(ratios) };
    seen.push(
      `${last.known.toFixed(2)} vs ${last.unknown.toFixed(2)} ms, paired ratio ${last.ratio.toFixed(3)}`,
    );
    // A disturbed run is measured again (at most three runs); a real difference shows every time.
    if (Math.abs(last.ratio - 1) <= 0.1) break;
  }
  t.diagnostic(`medians, wrong password vs unknown account: ${seen.join('; ')}`);
  assert.ok(Math.abs(last.ratio - 1) <= 0.1, JSON.stringify(last));
  // The control: a verification is most of a try, so skipping it for unknown accounts would show.
  assert.ok(last.known > 5, `a try costs a hash (${last.known} ms)`);
});

test('a sign-in that read the old password before a reset raised the watermark does not survive it', async () => {
  // dave's lookup is followed by a watermark (a reset completing elsewhere) while his password is
  // being verified: the session counts as created when the credential was read, so it is revoked.
  const r = await login('dave@example.com', 'dave-password-1');
  assert.equal(r.status, 200, r.text);
  const cookie = r.headers.getSetCookie().find((c) => c.startsWith('__Host-session='));
  assert.ok(cookie);
  const me = await app.call('whoami', { cookie: cookie.split(';')[0] });
  assert.equal(me.status, 401, 'a session issued from the old password outlived the reset');
  // A later sign-in (after the watermark) is not affected by it: alice, no watermark.
  const ok = await login('alice@example.com', 'alice-password-1');
  const mine = await app.call('whoami', {
    cookie: ok.headers
      .getSetCookie()
      .find((c) => c.startsWith('__Host-session='))
      .split(';')[0],
  });
  assert.equal(mine.status, 200);
});

test("a device cookie lets a browser that signed in before past its address's emptied client bucket, for that account only", async () => {
  // Everyone behind one shared address (NAT, an office) is one client: a neighbour trying made-up
  // accounts empties its bucket (3 tries in this limiter), and alice is refused before her password
  // is checked, unless her browser proves it signed in to her account before.
  const small = (identifier, password, ip, cookie) =>
    app.call('passwordLogin', {
      method: 'POST',
      data: { identifier, password, smallClientBucket: true },
      headers: { 'x-forwarded-for': ip, ...(cookie === undefined ? {} : { cookie }) },
    });
  const nat = freshClient();
  const first = await small('alice@example.com', 'alice-password-1', freshClient());
  assert.equal(first.status, 200, first.text);
  const set = first.headers.getSetCookie().find((c) => c.startsWith('__Host-session-device='));
  assert.ok(set, first.headers.getSetCookie().join('\n'));
  // HttpOnly, Secure, SameSite=Lax, host-only on /, 180 days.
  const attrs = set
    .split(/;\s*/)
    .slice(1)
    .map((a) => a.toLowerCase());
  for (const a of ['httponly', 'secure', 'samesite=lax', 'path=/', `max-age=${180 * 86400}`]) {
    assert.ok(attrs.includes(a), `${a} in ${set}`);
  }
  assert.ok(!attrs.some((a) => a.startsWith('domain=')));
  const device = set.split(';')[0];
  // The token is sealed: the identifier is not readable in it.
  assert.ok(!device.includes('alice'));

  for (let i = 0; i < 3; i++) assert.equal((await small(`made-up-${i}@example.com`, 'x', nat)).status, 401);
  const plain = await small('alice@example.com', 'alice-password-1', nat);
  assert.equal(plain.status, 429, 'without the device cookie: the emptied client bucket');
  const known = await small('alice@example.com', 'alice-password-1', nat, device);
  assert.equal(known.status, 200, known.text);
  // Bound to alice's identifier: it does nothing for another account, and a tampered one nothing.
  assert.equal((await small('bob@example.com', 'bob-password-1', nat, device)).status, 429);
  const tampered = device.slice(0, -2) + (device.endsWith('AA') ? 'BA' : 'AA');
  assert.equal((await small('alice@example.com', 'alice-password-1', nat, tampered)).status, 429);
  // A session cookie is not a device cookie (another sealer purpose).
  const session = known.headers.getSetCookie().find((c) => c.startsWith('__Host-session='));
  const asDevice = session.split(';')[0].replace('__Host-session=', '__Host-session-device=');
  assert.equal((await small('alice@example.com', 'alice-password-1', nat, asDevice)).status, 429);
  // It never passes the (account, client) bucket: five failures, then 429 even with it.
  const seen = [];
  for (let i = 0; i < 6; i++)
    seen.push((await small('alice@example.com', 'wrong-password-x', nat, device)).status);
  assert.deepEqual(seen, [401, 401, 401, 401, 401, 429]);
});
