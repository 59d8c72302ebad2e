// The example app over HTTP, its production build on a loopback port: what an attacker can do with
// curl. Every protected server function refuses a direct call without a valid session; CSRF,
// rate limits behind a trusted proxy, sign-out that holds across a restart, the step-up, and the
// answers that must not tell whether an address has an account.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { appDir, core, demoAccounts, mails, mintCookie, startApp, waitForMail } from './app.mjs';
import { FUNCTIONS, SAMPLE } from './functions.mjs';

const { isStartGuardError } = core;

let app;
let ada; // admin
let ben; // member
let clients = 0;
/** A virtual client: its own forwarded address, so tests never share a rate-limit bucket. */
const newClient = () => `198.51.100.${++clients}`;

before(async () => {
  // 127.0.0.1 (the test itself) is the trusted proxy; X-Forwarded-For names each virtual client.
  app = await startApp({ env: { TRUST_PROXY: '127.0.0.1' } });
  [ada, ben] = demoAccounts(app.dataDir);
});
after(() => app?.stop());

function assertRefused(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get('x-start-guard-error'), code, r.text);
  assert.ok(isStartGuardError(r.body?.error, code), r.text);
  assert.ok(!('result' in r.body), r.text);
}

async function userIdOf(cookie) {
  const r = await app.call('getSession', { cookie });
  assert.equal(r.status, 200, r.text);
  return r.body.result.session.userId;
}

describe('direct calls', () => {
  test('the table above lists every server function of the build', () => {
    assert.deepEqual(Object.keys(app.ids).sort(), Object.keys(FUNCTIONS).sort());
  });

  test('every protected function called without a cookie: 401 and no data', async () => {
    for (const [name, { method, public: open }] of Object.entries(FUNCTIONS)) {
      if (open) continue;
      const r = await app.call(name, { method, data: SAMPLE[name] });
      assertRefused(r, 401, 'ERR_UNAUTHENTICATED');
      assert.doesNotMatch(r.text, /example\.com|argon2/, name);
    }
  });

  test('a tampered, foreign, idle-expired or past-deadline cookie: 401', async () => {
    const good = await app.signIn(ben.email, ben.password, { client: newClient() });
    const userId = await userIdOf(good);
    // v4.local.<nonce | ciphertext | tag>.<footer>, base64url: a cut footer, and one character
    // changed inside the ciphertext and inside the tag (footer intact).
    const tampered = good.slice(0, -4) + (good.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const [name, value] = good.split('=');
    const [v, local, body, footer] = value.split('.');
    const flip = (text, i) => text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
    const token = (b) => `${name}=${[v, local, b, footer].join('.')}`;
    const inCiphertext = token(flip(body, 48)); // past the 32-byte nonce (43 characters)
    const inTag = token(flip(body, body.length - 10)); // within the last 32 bytes
    assert.notEqual(inCiphertext, good);
    assert.notEqual(inTag, good);
    const idle = mintCookie(userId, { nowMs: Date.now() - 31 * 60_000 }); // idle timeout 30 min
    const old = mintCookie(userId, { nowMs: Date.now() - 13 * 3600_000 }); // absolute 12 h
    const foreign = core
      .createSessionManager({
        secrets: 'another-secret-another-secret-0123456789',
        revocation: core.createMemoryRevocationStore(),
      })
      .create(userId, {})
      .setCookie.split(';')[0];
    for (const cookie of [tampered, inCiphertext, inTag, idle, old, foreign]) {
      assertRefused(await app.call('listNotes', { cookie }), 401, 'ERR_UNAUTHENTICATED');
      assertRefused(
        await app.call('addNote', { method: 'POST', data: { body: 'x' }, cookie }),
        401,
        'ERR_UNAUTHENTICATED',
      );
    }
    // The same user's valid cookie still works: the refusals above were the cookies'.
    const ok = await app.call('listNotes', { cookie: good });
    assert.equal(ok.status, 200, ok.text);
  });

  test('a valid session: 200 with the data, no-store', async () => {
    const cookie = await app.signIn(ben.email, ben.password, { client: newClient() });
    const added = await app.call('addNote', { method: 'POST', data: { body: 'buy milk' }, cookie });
    assert.equal(added.status, 200, added.text);
    const r = await app.call('listNotes', { cookie });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.result.some((n) => n.body === 'buy milk'));
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const s = await app.call('getSession', { cookie });
    assert.equal(s.body.result.user.email, ben.email);
    assert.ok(!('passwordHash' in s.body.result.user), 'the hash never reaches the browser');
  });

  test('a foreign origin: 403 ERR_CSRF, for GET and POST, even with a valid cookie', async () => {
    const cookie = await app.signIn(ben.email, ben.password, { client: newClient() });
    for (const origin of ['https://evil.example', 'null']) {
      assertRefused(await app.call('listNotes', { cookie, origin }), 403, 'ERR_CSRF');
      assertRefused(
        await app.call('addNote', { method: 'POST', data: { body: 'csrf' }, cookie, origin }),
        403,
        'ERR_CSRF',
      );
    }
    assertRefused(
      await app.call('addNote', {
        method: 'POST',
        data: { body: 'csrf' },
        cookie,
        origin: null,
        headers: { 'sec-fetch-site': 'cross-site' },
      }),
      403,
      'ERR_CSRF',
    );
    // A forged sign-in is refused too (login CSRF).
    assertRefused(
      await app.call('signIn', {
        method: 'POST',
        data: { email: ben.email, password: ben.password },
        origin: 'https://evil.example',
      }),
      403,
      'ERR_CSRF',
    );
    const notes = (await app.call('listNotes', { cookie })).body.result;
    assert.ok(!notes.some((n) => n.body === 'csrf'));
  });

  test('admin only: a member gets 403 ERR_FORBIDDEN, an admin the list', async () => {
    const member = await app.signIn(ben.email, ben.password, { client: newClient() });
    assertRefused(await app.call('adminOverview', { cookie: member }), 403, 'ERR_FORBIDDEN');
    const admin = await app.signIn(ada.email, ada.password, { client: newClient() });
    const r = await app.call('adminOverview', { cookie: admin });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.result.map((u) => u.email).sort(), [ada.email, ben.email].sort());
  });
});

describe('sign-in', () => {
  test('the n+1th failed sign-in from a client: 429 with Retry-After; another client is not held', async () => {
    const client = newClient();
    for (let i = 0; i < 5; i++) {
      const r = await app.call('signIn', {
        method: 'POST',
        data: { email: ben.email, password: `wrong-${i}` },
        client,
      });
      assertRefused(r, 401, 'ERR_INVALID_CREDENTIALS');
    }
    const limited = await app.call('signIn', {
      method: 'POST',
      data: { email: ben.email, password: ben.password }, // even the right password
      client,
    });
    assertRefused(limited, 429, 'ERR_RATE_LIMITED');
    const retry = Number(limited.headers.get('retry-after'));
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After: ${retry}`);
    assert.equal(limited.cookie, null);
    // Another client still signs in to the same account.
    assert.ok(await app.signIn(ben.email, ben.password, { client: newClient() }));
  });

  test('an unknown address and a wrong password get the same answers, limits included', async () => {
    const answers = [];
    for (const email of [ben.email, 'nobody@example.com']) {
      const client = newClient();
      const seen = [];
      for (let i = 0; i < 6; i++) {
        const r = await app.call('signIn', {
          method: 'POST',
          data: { email, password: 'not-it-123' },
          client,
        });
        seen.push([
          r.status,
          r.headers.get('x-start-guard-error'),
          r.body?.error?.message.replace(/\d+ s/, 'N s'),
        ]);
      }
      answers.push(seen);
    }
    assert.deepEqual(answers[0], answers[1]);
    assert.equal(answers[0][5][0], 429);
  });

  test('"remember me" sets a persistent cookie; without it, a browser-session cookie', async () => {
    const plain = await app.call('signIn', {
      method: 'POST',
      data: { email: ben.email, password: ben.password },
      client: newClient(),
    });
    const remembered = await app.call('signIn', {
      method: 'POST',
      data: { email: ben.email, password: ben.password, remember: true },
      client: newClient(),
    });
    const setCookie = (r) => r.headers.getSetCookie().find((c) => c.startsWith('__Host-session='));
    assert.doesNotMatch(setCookie(plain), /Max-Age|Expires/i);
    assert.match(setCookie(remembered), /Max-Age=\d+/i);
    for (const c of [setCookie(plain), setCookie(remembered)]) {
      assert.match(c, /HttpOnly/i);
      assert.match(c, /Secure/i);
      assert.match(c, /SameSite=Lax/i);
      assert.match(c, /Path=\//);
    }
  });
});

describe('sign-out', () => {
  test('a cookie captured before sign-out is refused, also after a server restart', async () => {
    const captured = await app.signIn(ben.email, ben.password, { client: newClient() });
    const other = await app.signIn(ben.email, ben.password, { client: newClient() });
    assert.equal((await app.call('listNotes', { cookie: captured })).status, 200);
    const out = await app.call('signOut', { method: 'POST', cookie: captured });
    assert.equal(out.status, 200, out.text);
    assert.match(out.headers.getSetCookie().join('\n'), /__Host-session=;/);
    assertRefused(await app.call('listNotes', { cookie: captured }), 401, 'ERR_UNAUTHENTICATED');

    // The restart reads the revocation file again: the captured cookie stays refused. SIGKILL, no
    // shutdown: the revocation was on disk before the sign-out answered.
    await app.stop({ keepData: true, signal: 'SIGKILL' });
    app = await startApp({ env: { TRUST_PROXY: '127.0.0.1' }, dataDir: app.dataDir, port: app.port });
    assertRefused(await app.call('listNotes', { cookie: captured }), 401, 'ERR_UNAUTHENTICATED');
    assert.equal((await app.call('listNotes', { cookie: other })).status, 200, 'other sessions go on');
  });

  test('sign out everywhere ends every session of the user, on every device', async () => {
    const laptop = await app.signIn(ben.email, ben.password, { client: newClient() });
    const phone = await app.signIn(ben.email, ben.password, { client: newClient() });
    const adaCookie = await app.signIn(ada.email, ada.password, { client: newClient() });
    const r = await app.call('signOutEverywhere', { method: 'POST', cookie: laptop });
    assert.equal(r.status, 200, r.text);
    assertRefused(await app.call('listNotes', { cookie: phone }), 401, 'ERR_UNAUTHENTICATED');
    assertRefused(await app.call('listNotes', { cookie: laptop }), 401, 'ERR_UNAUTHENTICATED');
    assert.equal(
      (await app.call('listNotes', { cookie: adaCookie })).status,
      200,
      'another user is not affected',
    );
    assert.ok(await app.signIn(ben.email, ben.password, { client: newClient() }), 'signing in again works');
  });
});

describe('password change', () => {
  test('a stale session: 403 ERR_REAUTH_REQUIRED and the password stays; after the step-up it changes', async () => {
    // A fresh user of its own, so other tests keep the demo passwords.
    const email = `stale-${Date.now()}@example.com`;
    const password = 'first-password-123';
    await app.createUser(email, password, { name: 'Stale', client: newClient() });
    const fresh = await app.signIn(email, password, { client: newClient() });
    const userId = await userIdOf(fresh);
    // Signed in 10 minutes ago (the step-up window is 5 minutes).
    const stale = mintCookie(userId, { authTime: Math.floor(Date.now() / 1000) - 600 });
    const refused = await app.call('changePassword', {
      method: 'POST',
      data: { password: 'second-password-123' },
      cookie: stale,
    });
    assertRefused(refused, 403, 'ERR_REAUTH_REQUIRED');
    assert.match(refused.body.error.message, /sign in again/);
    assert.ok(await app.signIn(email, password, { client: newClient() }), 'the old password still works');

    // The step-up: the password again gives a fresh session (new id), which may change it.
    const confirmed = await app.call('confirmPassword', {
      method: 'POST',
      data: { password },
      cookie: stale,
      client: newClient(),
    });
    assert.equal(confirmed.status, 200, confirmed.text);
    assert.ok(confirmed.cookie && confirmed.cookie !== stale);
    assertRefused(await app.call('listNotes', { cookie: stale }), 401, 'ERR_UNAUTHENTICATED');
    const changed = await app.call('changePassword', {
      method: 'POST',
      data: { password: 'second-password-123' },
      cookie: confirmed.cookie,
    });
    assert.equal(changed.status, 200, changed.text);
    // The session moved to a new id; the one before, and every other session, are refused.
    assert.ok(changed.cookie && changed.cookie !== confirmed.cookie);
    assert.equal((await app.call('listNotes', { cookie: changed.cookie })).status, 200);
    assertRefused(await app.call('listNotes', { cookie: confirmed.cookie }), 401, 'ERR_UNAUTHENTICATED');
    assertRefused(await app.call('listNotes', { cookie: fresh }), 401, 'ERR_UNAUTHENTICATED');
    const old = await app.call('signIn', {
      method: 'POST',
      data: { email, password },
      client: newClient(),
    });
    assertRefused(old, 401, 'ERR_INVALID_CREDENTIALS');
    assert.ok(await app.signIn(email, 'second-password-123', { client: newClient() }));
  });

  test('a too-short new password: 400 ERR_PASSWORD_TOO_SHORT', async () => {
    const cookie = await app.signIn(ben.email, ben.password, { client: newClient() });
    const r = await app.call('changePassword', { method: 'POST', data: { password: 'short' }, cookie });
    assertRefused(r, 400, 'ERR_PASSWORD_TOO_SHORT');
  });
});

describe('e-mail flows', () => {
  test('register: the address only, the same answer for a new and a taken address; no account until the link is followed', async () => {
    const fresh = `new-${Date.now()}@example.com`;
    const before = mails(app.dataDir).length;
    const answers = [];
    for (const email of [fresh, ben.email]) {
      const r = await app.call('register', { method: 'POST', data: { email }, client: newClient() });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.cookie, null);
      answers.push(r.text);
    }
    assert.equal(answers[0], answers[1]);
    const link = await waitForMail(app.dataDir, fresh, /Create your account/, { after: before });
    const notice = await waitForMail(app.dataDir, ben.email, /already have an account/, { after: before });
    assert.equal(link.links.length, 1);
    assert.match(link.links[0], new RegExp(`^${app.base}/create-account\\?token=`));
    assert.equal(notice.links.filter((l) => l.includes('token=')).length, 0);
    assert.ok(notice.links.includes(`${app.base}/forgot-password`), notice.text);
    assert.equal(
      mails(app.dataDir)
        .slice(before)
        .filter((m) => m.to === ben.email && /Create your account/.test(m.subject)).length,
      0,
      'a taken address never gets a link that sets a password',
    );
    // Before the link is followed the new address has no account: a sign-in gets what an
    // unknown address gets, and the taken address's owner keeps their password.
    const signIn = async (email, password) => {
      const r = await app.call('signIn', { method: 'POST', data: { email, password }, client: newClient() });
      return [r.status, r.headers.get('x-start-guard-error'), r.cookie];
    };
    assert.deepEqual(await signIn(fresh, 'any-password-123'), [401, 'ERR_INVALID_CREDENTIALS', null]);
    assert.deepEqual(await signIn(`nobody-${Date.now()}@example.com`, 'any-password-123'), [
      401,
      'ERR_INVALID_CREDENTIALS',
      null,
    ]);
    assert.ok(await app.signIn(ben.email, ben.password, { client: newClient() }));

    // The link's page: no Referer, not cached. A made-up token makes nothing; a too-short password
    // is the user's to fix and leaves the link working; then the account is made, once.
    const token = new URL(link.links[0]).searchParams.get('token');
    const page = await app.fetch(`/create-account?token=${token}`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    const create = (data) => app.call('createAccount', { method: 'POST', data, client: newClient() });
    const forged = await create({
      token: token.slice(0, -2) + 'xx',
      name: 'X',
      password: 'forged-password-1',
    });
    assert.deepEqual(forged.body.result, { created: false, reason: 'link' });
    assertRefused(await create({ token, name: 'New', password: 'short' }), 400, 'ERR_PASSWORD_TOO_SHORT');
    const made = await create({ token, name: 'New', password: 'new-user-password' });
    assert.deepEqual(made.body.result, { created: true });
    assert.equal(made.cookie, null, 'making the account signs no one in');
    const cookie = await app.signIn(fresh, 'new-user-password', { client: newClient() });
    const session = await app.call('getSession', { cookie });
    assert.equal(session.body.result.user.name, 'New');
    assert.equal(session.body.result.user.emailVerified, true);
    const again = await create({ token, name: 'Again', password: 'another-password-1' });
    assert.deepEqual(again.body.result, { created: false, reason: 'link' });
    assert.deepEqual(await signIn(fresh, 'another-password-1'), [401, 'ERR_INVALID_CREDENTIALS', null]);
  });

  /** A fresh sign-up link (the token of the mail's link) for a new address. */
  async function signUpToken(prefix) {
    const email = `${prefix}-${Date.now()}-${clients}@example.com`;
    const before = mails(app.dataDir).length;
    const r = await app.call('register', { method: 'POST', data: { email }, client: newClient() });
    assert.equal(r.status, 200, r.text);
    const mail = await waitForMail(app.dataDir, email, /Create your account/, { after: before });
    return { email, token: new URL(mail.links[0]).searchParams.get('token') };
  }

  test('create account, signed in: the link is refused before any hash (not a 400 from the hasher), and stays usable', async () => {
    const { email, token } = await signUpToken('signed-in');
    const cookie = await app.signIn(ben.email, ben.password, { client: newClient() });
    // The policy refusal comes from the hash: a refusal of the link before it proves no hash ran.
    for (const password of ['short', 'a-long-enough-password-1']) {
      const r = await app.call('createAccount', {
        method: 'POST',
        data: { token, name: 'X', password },
        cookie,
        client: newClient(),
      });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.result, { created: false, reason: 'link' });
    }
    const made = await app.call('createAccount', {
      method: 'POST',
      data: { token, name: 'Mine', password: 'finally-mine-123' },
      client: newClient(),
    });
    assert.deepEqual(made.body.result, { created: true }, 'the link was not used up');
    assert.ok(await app.signIn(email, 'finally-mine-123', { client: newClient() }));
  });

  test('create account: per client, the 11th try is a 429 with Retry-After (made-up links count too)', async () => {
    const client = newClient();
    const statuses = [];
    for (let i = 0; i < 11; i++) {
      const r = await app.call('createAccount', {
        method: 'POST',
        data: { token: `made-up-token-${i}`, name: 'X', password: 'guess-password-1' },
        client,
      });
      statuses.push(r.status);
      if (i === 10) {
        assertRefused(r, 429, 'ERR_RATE_LIMITED');
        assert.ok(Number(r.headers.get('retry-after')) >= 1);
      }
    }
    assert.deepEqual(statuses, [...Array(10).fill(200), 429]);
    const other = await app.call('createAccount', {
      method: 'POST',
      data: { token: 'made-up-token', name: 'X', password: 'guess-password-1' },
      client: newClient(),
    });
    assert.deepEqual(other.body.result, { created: false, reason: 'link' }, 'another client is not held');
  });

  test('create account: copies of the request sent while the first hashes are refused before their own hash', async () => {
    // The copies carry a too-short password: one that reached the hasher would be a 400. They are
    // sent 5 ms after the first, whose hash (Argon2id, 19 MiB) takes longer than that; under heavy
    // load the first may not have reached its check yet, so up to 3 rounds, each with a new link.
    let last;
    for (let round = 0; round < 3; round++) {
      const { token } = await signUpToken('copies');
      const first = app.call('createAccount', {
        method: 'POST',
        data: { token, name: 'First', password: 'the-first-password-1' },
        client: newClient(),
      });
      await new Promise((r) => setTimeout(r, 5));
      const copies = await Promise.all(
        Array.from({ length: 4 }, () =>
          app.call('createAccount', {
            method: 'POST',
            data: { token, name: 'Copy', password: 'short' },
            client: newClient(),
          }),
        ),
      );
      assert.deepEqual((await first).body.result, { created: true });
      last = copies.map(
        (r) => `${r.status} ${JSON.stringify(r.body?.result ?? r.headers.get('x-start-guard-error'))}`,
      );
      if (last.every((l) => l === '200 {"created":false,"reason":"link"}')) return;
    }
    assert.fail(`a copy reached the hasher in every round: ${last.join(', ')}`);
  });

  test('the sign-up id in the security log is a keyed hash of the address: stable, not its plain SHA-256', async () => {
    const idsFor = async (email) => {
      const before = app.log().length;
      const sent = mails(app.dataDir).length;
      const r = await app.call('register', { method: 'POST', data: { email }, client: newClient() });
      assert.equal(r.status, 200, r.text);
      await waitForMail(app.dataDir, email, /Create your account/, { after: sent });
      await new Promise((resolve) => setTimeout(resolve, 100)); // the 'sent' event follows the mail
      return [
        ...app
          .log()
          .slice(before)
          .matchAll(/userId=(signup:[\w-]+)/g),
      ].map((m) => m[1]);
    };
    const email = `logged-${Date.now()}@example.com`;
    const first = await idsFor(email);
    assert.ok(first.length > 0, 'the flow logs the sign-up id');
    assert.equal(new Set(first).size, 1);
    assert.deepEqual([...new Set(await idsFor(email))], [first[0]], 'stable per address');
    assert.notEqual((await idsFor(`other-${email}`))[0], first[0]);
    const plain = `signup:${createHash('sha256').update(email).digest('base64url')}`;
    assert.notEqual(first[0], plain, 'an unkeyed hash of the address is reversed from a list of addresses');
    assert.ok(!app.log().includes(plain));
  });

  test('forgot password: the same answer for every address; the link sets a new password and ends the old sessions', async () => {
    const email = `reset-${Date.now()}@example.com`;
    await app.createUser(email, 'before-reset-123', { name: 'Reset', client: newClient() });
    const session = await app.signIn(email, 'before-reset-123', { client: newClient() });
    const before = mails(app.dataDir).length;
    const known = await app.call('requestPasswordReset', {
      method: 'POST',
      data: { email },
      client: newClient(),
    });
    const unknown = await app.call('requestPasswordReset', {
      method: 'POST',
      data: { email: 'nobody-here@example.com' },
      client: newClient(),
    });
    assert.equal(known.status, 200, known.text);
    assert.equal(known.text, unknown.text);
    assert.equal(known.headers.get('referrer-policy'), 'no-referrer');
    const mail = await waitForMail(app.dataDir, email, /Reset your password/, { after: before });
    assert.equal(
      mails(app.dataDir)
        .slice(before)
        .filter((m) => m.to === 'nobody-here@example.com').length,
      0,
    );
    const link = new URL(mail.links[0]);
    assert.equal(link.origin + link.pathname, `${app.base}/reset-password`);
    const token = link.searchParams.get('token');

    const page = await app.fetch(link.pathname + link.search);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.match(page.text, /<meta name="referrer" content="no-referrer"/);

    const done = await app.call('completePasswordReset', {
      method: 'POST',
      data: { token, password: 'after-reset-456' },
    });
    assert.deepEqual(done.body.result, true);
    assert.equal(done.cookie, null, 'a reset signs no one in');
    assertRefused(await app.call('listNotes', { cookie: session }), 401, 'ERR_UNAUTHENTICATED');
    assertRefused(
      await app.call('signIn', {
        method: 'POST',
        data: { email, password: 'before-reset-123' },
        client: newClient(),
      }),
      401,
      'ERR_INVALID_CREDENTIALS',
    );
    assert.ok(await app.signIn(email, 'after-reset-456', { client: newClient() }));
    const replay = await app.call('completePasswordReset', {
      method: 'POST',
      data: { token, password: 'third-password-789' },
    });
    assert.deepEqual(replay.body.result, false);
  });
});

describe('pages', () => {
  test('a signed-in page without a session redirects to the sign-in page', async () => {
    const r = await app.fetch('/dashboard');
    assert.equal(r.status, 307, r.text.slice(0, 200));
    const location = new URL(r.headers.get('location'), app.base);
    assert.equal(location.pathname, '/login');
    assert.equal(location.searchParams.get('returnTo'), '/dashboard');
  });

  test('with a session the page renders the user data on the server', async () => {
    const cookie = await app.signIn(ada.email, ada.password, { client: newClient() });
    const r = await app.fetch('/admin', { headers: { cookie } });
    assert.equal(r.status, 200);
    assert.match(r.text, new RegExp(ben.email.replace('.', '\\.')));
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const member = await app.signIn(ben.email, ben.password, { client: newClient() });
    const refused = await app.fetch('/admin', { headers: { cookie: member } });
    assert.match(refused.text, /admins only/);
    assert.doesNotMatch(refused.text, new RegExp(ada.email.replace('.', '\\.') + '</td>'));
  });
});

describe('exposure audit', () => {
  const cli = () => join(appDir, 'node_modules/start-guard/dist/testing/cli.js');
  const audit = (args) =>
    spawnSync(process.execPath, [cli(), 'audit', app.base, '--json', ...args], {
      cwd: appDir,
      encoding: 'utf8',
    });

  test('npx start-guard audit passes with the public list of src/start.ts; every other function is protected', () => {
    const r = audit(['--public-file', 'src/public-server-fns.json']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout);
    const verdicts = Object.fromEntries(report.functions.map((f) => [f.name, f.verdict]));
    for (const [name, { public: open }] of Object.entries(FUNCTIONS)) {
      if (!open) assert.equal(verdicts[name], 'protected', name);
    }
  });

  test('and fails, naming it, when a public function is left off the list', () => {
    const list = JSON.parse(readFileSync(join(appDir, 'src/public-server-fns.json'), 'utf8'));
    const args = list.filter((e) => !e.endsWith('#getSession')).flatMap((e) => ['--public', e]);
    const r = audit(args);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout);
    const getSession = report.functions.find((f) => f.name === 'getSession');
    // It answers anyone from the app's origin (curl); the CSRF check only stops other sites.
    assert.equal(getSession.verdict, 'csrf-only');
    assert.equal(getSession.exposed, true);
    assert.deepEqual(
      report.functions.filter((f) => f.exposed).map((f) => f.name),
      ['getSession'],
    );
  });
});
