import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSetCookie } from 'cookie';
import { encrypt as pasetoEncrypt } from 'paseto-ts/v4';
import {
  createMemoryRevocationStore,
  createSealer,
  createSessionManager,
  isStartGuardError,
  randomBytes,
} from 'start-guard';

const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
const MIN = 60_000;

function setup(extra = {}) {
  const clock = { ms: T0 };
  const events = [];
  const revocation = createMemoryRevocationStore({ nowMs: () => clock.ms });
  const secrets = extra.secrets ?? randomBytes(32);
  const sessions = createSessionManager({
    secrets,
    revocation,
    nowMs: () => clock.ms,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { clock, events, revocation, sessions, secrets };
}

/** The Cookie request header a browser would send back for a Set-Cookie. */
const cookieOf = (setCookie) => {
  const c = parseSetCookie(setCookie);
  return `${c.name}=${c.value}`;
};

test('create: a new 128-bit id every time, secure cookie attributes, browser-session cookie', async () => {
  const { sessions, events } = setup();
  const a = sessions.create('user-1', { theme: 'dark' });
  const b = sessions.create('user-1', { theme: 'dark' });
  assert.match(a.session.id, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(Buffer.from(a.session.id, 'base64url').length, 16);
  assert.notEqual(a.session.id, b.session.id);
  const c = parseSetCookie(a.setCookie);
  assert.equal(c.name, '__Host-session');
  assert.equal(c.path, '/');
  assert.equal(c.httpOnly, true);
  assert.equal(c.secure, true);
  assert.equal(c.sameSite, 'lax');
  assert.equal(c.maxAge, undefined);
  assert.equal(c.expires, undefined);
  assert.equal(c.domain, undefined);
  assert.deepEqual(a.session, {
    id: a.session.id,
    userId: 'user-1',
    data: { theme: 'dark' },
    createdAtMs: T0,
    authTime: T0 / 1000,
    idleExpiresAt: T0 / 1000 + 1800,
    expiresAt: T0 / 1000 + 12 * 3600,
    persistent: false,
  });
  assert.deepEqual(
    events.map((e) => [e.type, e.userId, e.sessionId]),
    [
      ['session.created', 'user-1', a.session.id],
      ['session.created', 'user-1', b.session.id],
    ],
  );
  for (const e of events) assert.ok(!JSON.stringify(e).includes('v4.local'));
});

test('read: the cookie gives back the session, from a header string, a Request, or Node headers', async () => {
  const { sessions } = setup();
  const { session, setCookie } = sessions.create('u', [1, 2], { authTime: T0 / 1000 - 60 });
  const header = `other=1; ${cookieOf(setCookie)}; x=y`;
  const fromString = await sessions.read(header);
  assert.deepEqual(fromString, { session });
  const fromRequest = await sessions.read(new Request('https://app.test/', { headers: { cookie: header } }));
  assert.deepEqual(fromRequest.session, session);
  const fromNode = await sessions.read({ headers: { cookie: header } });
  assert.deepEqual(fromNode.session, session);
  assert.equal(fromString.session.authTime, T0 / 1000 - 60);
});

test('idle timeout: a cookie unused for 30 minutes is dead', async () => {
  const { sessions, clock } = setup();
  const cookie = cookieOf(sessions.create('u', null).setCookie);
  clock.ms = T0 + 30 * MIN - 1000;
  assert.ok(await sessions.read(cookie));
  clock.ms = T0 + 30 * MIN;
  assert.equal(await sessions.read(cookie), null);
});

test('sliding expiry: past half the idle window the cookie is re-issued with the same id', async () => {
  const { sessions, clock } = setup();
  const created = sessions.create('u', { n: 1 });
  const cookie = cookieOf(created.setCookie);
  clock.ms = T0 + 14 * MIN;
  const early = await sessions.read(cookie);
  assert.equal(early.setCookie, undefined);
  clock.ms = T0 + 16 * MIN;
  const late = await sessions.read(cookie);
  assert.ok(late.setCookie);
  assert.equal(late.session.id, created.session.id);
  assert.equal(late.session.createdAtMs, T0);
  assert.equal(late.session.idleExpiresAt, (T0 + 16 * MIN) / 1000 + 1800);
  // The re-issued cookie outlives the first one.
  clock.ms = T0 + 40 * MIN;
  assert.equal(await sessions.read(cookie), null);
  const next = await sessions.read(cookieOf(late.setCookie));
  assert.equal(next.session.id, created.session.id);
});

test('absolute timeout: an active session still ends 12 hours after sign-in', async () => {
  const { sessions, clock } = setup();
  let cookie = cookieOf(sessions.create('u', null).setCookie);
  let reads = 0;
  for (clock.ms = T0; clock.ms < T0 + 12 * 3600_000 - 20 * MIN; clock.ms += 20 * MIN) {
    const r = await sessions.read(cookie);
    assert.ok(r, `alive at ${(clock.ms - T0) / MIN} min`);
    if (r.setCookie) cookie = cookieOf(r.setCookie);
    reads++;
  }
  assert.ok(reads > 30);
  clock.ms = T0 + 12 * 3600_000;
  assert.equal(await sessions.read(cookie), null);
  // The last cookie's own deadline never passes the absolute one.
  clock.ms = T0 + 12 * 3600_000 - 1;
  const last = await sessions.read(cookie);
  assert.ok(last === null || last.session.idleExpiresAt <= T0 / 1000 + 12 * 3600);
});

test('shortening a timeout in the configuration applies to cookies already issued', async () => {
  const secrets = randomBytes(32);
  const a = setup({ secrets });
  const cookie = cookieOf(a.sessions.create('u', null).setCookie);
  const b = setup({ secrets, idleTimeoutSeconds: 300, absoluteTimeoutSeconds: 600 });
  b.clock.ms = T0 + 299_000;
  assert.ok(await b.sessions.read(cookie));
  b.clock.ms = T0 + 300_000;
  assert.equal(await b.sessions.read(cookie), null);
});

test('destroy: clears the cookie and revokes the id, durable before it resolves', async () => {
  const { sessions, events } = setup();
  const { session, setCookie } = sessions.create('u', null);
  const cookie = cookieOf(setCookie);
  const cleared = parseSetCookie(await sessions.destroy(session));
  assert.equal(cleared.name, '__Host-session');
  assert.equal(cleared.value, '');
  assert.equal(cleared.maxAge, 0);
  assert.equal(await sessions.read(cookie), null);
  assert.ok(events.some((e) => e.type === 'session.revoked' && e.sessionId === session.id));
  assert.ok(events.some((e) => e.type === 'session.rejected' && e.reason === 'revoked'));
});

test('rotation on sign-in: a new id each create, and the old id revoked when the caller asks', async () => {
  const { sessions } = setup();
  const before = sessions.create('u', { anonymousCart: 3 });
  const after = sessions.create('u', before.session.data, { authTime: T0 / 1000 });
  await sessions.destroy(before.session);
  assert.notEqual(after.session.id, before.session.id);
  assert.equal(await sessions.read(cookieOf(before.setCookie)), null);
  assert.equal((await sessions.read(cookieOf(after.setCookie))).session.id, after.session.id);
});

test('revocation by watermark: every session of the user created before it is dead, later ones live', async () => {
  const { sessions, revocation, clock } = setup();
  const phone = cookieOf(sessions.create('alice', null).setCookie);
  const other = cookieOf(sessions.create('bob', null).setCookie);
  clock.ms += 1000;
  await revocation.revokeUserBefore('alice', clock.ms, clock.ms / 1000 + 12 * 3600);
  const laptop = cookieOf(sessions.create('alice', null).setCookie);
  assert.equal(await sessions.read(phone), null);
  assert.ok(await sessions.read(other));
  assert.ok(await sessions.read(laptop));
});

test('update: same id, createdAt and authTime; older cookies of the id stay valid until they expire', async () => {
  const { sessions, clock } = setup();
  const created = sessions.create('u', { role: 'admin' }, { authTime: T0 / 1000 - 5 });
  clock.ms += MIN;
  const updated = sessions.update(created.session, { role: 'viewer' });
  assert.equal(updated.session.id, created.session.id);
  assert.equal(updated.session.createdAtMs, created.session.createdAtMs);
  assert.equal(updated.session.authTime, created.session.authTime);
  assert.deepEqual((await sessions.read(cookieOf(updated.setCookie))).session.data, { role: 'viewer' });
  // Documented: the old cookie still reads with its old data. Authorization state belongs in
  // loadUser (looked up per request), not in session data.
  assert.deepEqual((await sessions.read(cookieOf(created.setCookie))).session.data, { role: 'admin' });
});

test('persistent cookies carry Max-Age, and keep it across sliding and update', async () => {
  const { sessions, clock } = setup();
  const p = sessions.create('u', null, { persistent: true });
  assert.equal(parseSetCookie(p.setCookie).maxAge, 1800);
  assert.equal(p.session.persistent, true);
  clock.ms += 20 * MIN;
  const slid = await sessions.read(cookieOf(p.setCookie));
  assert.equal(parseSetCookie(slid.setCookie).maxAge, 1800);
  assert.equal(parseSetCookie(sessions.update(slid.session, 1).setCookie).maxAge, 1800);
  const all = setup({ persistent: true });
  assert.equal(parseSetCookie(all.sessions.create('u', null).setCookie).maxAge, 1800);
  assert.equal(
    parseSetCookie(all.sessions.create('u', null, { persistent: false }).setCookie).maxAge,
    undefined,
  );
});

test('cookie size: name + value over 4096 bytes is ERR_COOKIE_TOO_LARGE', () => {
  const { sessions } = setup();
  assert.ok(sessions.create('u', 'x'.repeat(2500)).setCookie.length < 4200);
  assert.throws(
    () => sessions.create('u', 'x'.repeat(3200)),
    (e) => isStartGuardError(e, 'ERR_COOKIE_TOO_LARGE'),
  );
});

test('junk and duplicate cookie headers read as no session, never throw', async () => {
  const { sessions, secrets } = setup();
  const good = cookieOf(sessions.create('u', null).setCookie);
  const value = good.slice(good.indexOf('=') + 1);
  const otherToken = createSealer({ secrets }).seal(
    { sid: 'x', uid: 'u', cms: T0, at: 0, d: null },
    { ttl: 60 },
  );
  const junk = [
    undefined,
    null,
    '',
    ';;;',
    'a=b',
    '__Host-session=',
    '__Host-session=junk',
    '__Host-session',
    `__Host-session=${value}; __Host-session=${value}`,
    `${good}; __Host-session=junk`,
    ` __Host-session = ${value} ; __Host-session=${value}`,
    `__Host-session=%E0%A4%A`,
    `__Host-session=${value}x`,
    `__Host-session=${otherToken}`,
    `__Host-session=${'A'.repeat(5000)}`,
    `__host-session=${value}`,
    42,
    { headers: null },
    { headers: { cookie: 7 } },
    new Request('https://app.test/'),
  ];
  for (const h of junk) assert.equal(await sessions.read(h), null, String(h).slice(0, 60));
  assert.ok(await sessions.read(good));
});

test('insecure development mode: plain-HTTP cookies, refused with NODE_ENV=production', () => {
  const dev = setup({ cookie: { insecureDevelopment: true } });
  const c = parseSetCookie(dev.sessions.create('u', null).setCookie);
  assert.equal(c.name, 'session');
  assert.equal(c.secure, undefined);
  assert.throws(
    () => setup({ cookie: { insecureDevelopment: true }, cookieName: '__Host-x' }),
    (e) => isStartGuardError(e, 'ERR_INVALID_OPTION'),
  );
  const saved = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    assert.throws(
      () => setup({ cookie: { insecureDevelopment: true } }),
      (e) => isStartGuardError(e, 'ERR_INSECURE_IN_PRODUCTION'),
    );
    // Production also needs an explicit revocation store.
    assert.throws(
      () => createSessionManager({ secrets: randomBytes(32) }),
      (e) => isStartGuardError(e, 'ERR_INVALID_OPTION'),
    );
  } finally {
    if (saved === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = saved;
  }
});

test('options are checked at construction', () => {
  assert.throws(() => createSessionManager(), TypeError);
  assert.throws(
    () => setup({ secrets: 'short' }),
    (e) => isStartGuardError(e, 'ERR_SECRET_TOO_SHORT'),
  );
  assert.throws(
    () => setup({ idleTimeoutSeconds: 0 }),
    (e) => isStartGuardError(e, 'ERR_INVALID_OPTION'),
  );
  assert.throws(
    () => setup({ cookieName: 'bad name;' }),
    (e) => isStartGuardError(e, 'ERR_INVALID_OPTION'),
  );
  assert.throws(
    () => setup({ cookie: { domain: 'app.test' } }),
    (e) => isStartGuardError(e, 'ERR_INVALID_OPTION'),
  );
  const { sessions } = setup();
  assert.throws(() => sessions.create('', null), TypeError);
  assert.throws(() => sessions.create(42, null), TypeError);
});

test('tokens from another PASETO library holding the key: no iat or an old cms reads as no session', async () => {
  const secrets = randomBytes(32);
  const { sessions, clock } = setup({ secrets });
  clock.ms = Date.now();
  const paserk = 'k4.local.' + Buffer.from(secrets).toString('base64url');
  const forge = (payload, opts) =>
    `__Host-session=${pasetoEncrypt(paserk, payload, { assertion: 'start-guard/session/v1', ...opts })}`;
  const data = { sid: 'Q2hhcmxlcyBCYWJiYWdlIQ', uid: 'mallory', cms: clock.ms, at: 0, d: null };
  // Well-formed (iat present, recent cms): a key holder can mint sessions, as expected.
  assert.equal((await sessions.read(forge({ data, exp: '1 hour' }))).session.userId, 'mallory');
  // No iat: the idle timeout cannot be checked, so it is refused (not judged by exp alone).
  assert.equal(await sessions.read(forge({ data, exp: '2126-01-01T00:00:00Z' }, { addIat: false })), null);
  // Created in 1970: past the absolute timeout whatever exp says.
  assert.equal(await sessions.read(forge({ data: { ...data, cms: 0 }, exp: '1 hour' })), null);
  for (const bad of [
    { ...data, uid: '' },
    { ...data, sid: '' },
    { ...data, cms: 'x' },
    { ...data, at: null },
  ]) {
    assert.equal(await sessions.read(forge({ data: bad, exp: '1 hour' })), null);
  }
});

test('a percent-encoded spelling of a valid cookie value is refused', async () => {
  const { sessions } = setup();
  const cookie = cookieOf(sessions.create('u', null).setCookie);
  const value = cookie.slice(cookie.indexOf('=') + 1);
  const encoded = [...value].map((c, i) => (i < 4 ? '%' + c.charCodeAt(0).toString(16) : c)).join('');
  assert.ok(await sessions.read(cookie));
  assert.equal(await sessions.read(`__Host-session=${encoded}`), null);
});

test('cookie options: insecure in production in any form, SameSite casing, bad attributes, all at construction', () => {
  const saved = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    const revocation = createMemoryRevocationStore();
    assert.throws(
      () =>
        createSessionManager({
          secrets: randomBytes(32),
          revocation,
          cookieName: 'sid',
          cookie: { secure: false },
        }),
      (e) => isStartGuardError(e, 'ERR_INSECURE_IN_PRODUCTION'),
    );
  } finally {
    if (saved === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = saved;
  }
  assert.throws(
    () => setup({ cookieName: 'sid', cookie: { secure: false, sameSite: 'None' } }),
    (e) => isStartGuardError(e, 'ERR_INVALID_OPTION') && /SameSite=None/.test(e.message),
  );
  assert.throws(
    () => setup({ cookieName: 'sid', cookie: { domain: 'a;b' } }),
    (e) => isStartGuardError(e, 'ERR_INVALID_OPTION'),
  );
  assert.throws(
    () => setup({ cookie: { sameSite: 'sideways' } }),
    (e) => isStartGuardError(e, 'ERR_INVALID_OPTION'),
  );
  const strict = setup({ cookie: { sameSite: 'Strict' } });
  assert.equal(parseSetCookie(strict.sessions.create('u', null).setCookie).sameSite, 'strict');
});

// --- Review fixes (issue 7) ------------------------------------------------------------------

test('data: undefined is stored as absent and reads back; never a cookie that cannot be read', async () => {
  const { sessions } = setup();
  const created = sessions.create('u1', undefined);
  const read = await sessions.read(cookieOf(created.setCookie));
  assert.ok(read, 'a cookie made with undefined data must read back');
  assert.equal(read.session.userId, 'u1');
  assert.equal(read.session.data, undefined);
  const updated = sessions.update(read.session, undefined);
  assert.equal((await sessions.read(cookieOf(updated.setCookie))).session.id, created.session.id);
  const noData = sessions.create('u2');
  assert.equal((await sessions.read(cookieOf(noData.setCookie))).session.data, undefined);
  // And back from undefined to data, on the same id.
  const again = sessions.update(read.session, { n: 1 });
  assert.deepEqual((await sessions.read(cookieOf(again.setCookie))).session.data, { n: 1 });
});

test('too much data is always ERR_COOKIE_TOO_LARGE, whatever its size', () => {
  const { sessions } = setup();
  for (const n of [3_000, 11_000, 12_500, 16_000, 20_000, 1 << 20]) {
    assert.throws(
      () => sessions.create('u', 'x'.repeat(n)),
      (e) => isStartGuardError(e, 'ERR_COOKIE_TOO_LARGE'),
      `${n} bytes`,
    );
    const ok = sessions.create('u', null).session;
    assert.throws(
      () => sessions.update(ok, { blob: 'y'.repeat(n) }),
      (e) => isStartGuardError(e, 'ERR_COOKIE_TOO_LARGE'),
    );
  }
});

test('after a refused oversized create, reading sessions costs what it did', async () => {
  const { sessions } = setup();
  const cookie = cookieOf(sessions.create('u', { theme: 'dark' }).setCookie);
  const usPerRead = async () => {
    const xs = [];
    for (let b = 0; b < 9; b++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 300; i++) await sessions.read(cookie);
      xs.push(Number(process.hrtime.bigint() - t0) / 1e3 / 300);
    }
    return xs.sort((a, b) => a - b)[4];
  };
  await usPerRead();
  const before = await usPerRead();
  assert.throws(
    () => sessions.create('u', 'z'.repeat(8 << 20)),
    (e) => isStartGuardError(e, 'ERR_COOKIE_TOO_LARGE'),
  );
  const after = await usPerRead();
  // Before the fix: 15 µs -> 101 µs per read after one 8 MiB create.
  assert.ok(after < before * 3, `${after.toFixed(1)} µs vs ${before.toFixed(1)} µs`);
});

test('authTime must be epoch seconds: milliseconds, durations and future times are refused; 0 is "unknown"', async () => {
  const { sessions } = setup();
  for (const bad of [T0, Date.now(), 43_200, 1, -5, T0 / 1000 + 3600, NaN, Infinity]) {
    assert.throws(
      () => sessions.create('u', null, { authTime: bad }),
      { code: 'ERR_OUT_OF_RANGE' },
      String(bad),
    );
  }
  assert.throws(() => sessions.create('u', null, { authTime: '1' }), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.equal(sessions.create('u', null, { authTime: 0 }).session.authTime, 0);
  assert.equal(sessions.create('u', null, { authTime: T0 / 1000 - 600 }).session.authTime, T0 / 1000 - 600);
});

test('the absolute deadline is carried in the token: re-issued sessions keep it, nothing extends it', async () => {
  const { sessions, clock, revocation } = setup();
  const internals = sessions[Symbol.for('start-guard.session-internals')];
  assert.equal(typeof internals.create, 'function');
  assert.ok(!Object.keys(sessions).some((k) => /internal/i.test(k)), 'not part of the public surface');
  const first = sessions.create('alice', { n: 1 });
  const deadline = first.session.expiresAt;
  assert.equal(deadline, T0 / 1000 + 12 * 3600);

  // "Sign out my other sessions" ten hours later: a watermark now, and the caller re-issued under
  // a new id created at the watermark with the deadline it had.
  clock.ms = T0 + 10 * 3600_000;
  await revocation.revokeUserBefore('alice', clock.ms, deadline);
  const kept = internals.create('alice', { n: 1 }, { createdAtMs: clock.ms, absoluteExpiresAt: deadline });
  assert.notEqual(kept.session.id, first.session.id);
  assert.equal(kept.session.createdAtMs, clock.ms);
  assert.equal(kept.session.expiresAt, deadline, 'not a fresh 12 hours');
  assert.equal(await sessions.read(cookieOf(first.setCookie)), null, 'the old cookie is revoked');
  const read = await sessions.read(cookieOf(kept.setCookie));
  assert.equal(read.session.expiresAt, deadline, 'not revoked by its own watermark, same deadline');

  // Sliding and update keep it too; the session still ends at the original deadline.
  clock.ms += 20 * MIN;
  const slid = await sessions.read(cookieOf(kept.setCookie));
  assert.ok(slid.setCookie);
  assert.equal(slid.session.expiresAt, deadline);
  const updated = sessions.update(slid.session, { n: 2 });
  assert.equal(updated.session.expiresAt, deadline);
  clock.ms = deadline * 1000;
  assert.equal(await sessions.read(cookieOf(updated.setCookie)), null);

  // A deadline past what the settings allow for that creation time is clamped, never extended.
  clock.ms = T0 + 3600_000;
  const clamped = internals.create('bob', null, {
    createdAtMs: T0,
    absoluteExpiresAt: T0 / 1000 + 99 * 3600,
  });
  assert.equal(clamped.session.expiresAt, T0 / 1000 + 12 * 3600);
  // Internal options are checked like public ones; the public create ignores them.
  assert.throws(() => internals.create('bob', null, { createdAtMs: clock.ms + 60_000 }), {
    code: 'ERR_OUT_OF_RANGE',
  });
  assert.throws(() => internals.create('bob', null, { createdAtMs: T0 / 1000 }), {
    code: 'ERR_OUT_OF_RANGE',
  });
  assert.throws(() => internals.create('bob', null, { absoluteExpiresAt: T0 }), { code: 'ERR_OUT_OF_RANGE' });
  const pub = sessions.create('bob', null, { createdAtMs: T0 - 3600_000, absoluteExpiresAt: T0 / 1000 });
  assert.equal(pub.session.createdAtMs, clock.ms);
  assert.equal(pub.session.expiresAt, clock.ms / 1000 + 12 * 3600);
});

test('tokens issued before the deadline was carried (no ax) keep reading until they expire', async () => {
  const secrets = randomBytes(32);
  const { sessions, clock } = setup({ secrets });
  const sealer = createSealer({ secrets, nowMs: () => clock.ms });
  const legacy = sealer.seal(
    { sid: 'bGVnYWN5LXNlc3Npb24xMg', uid: 'old', cms: T0, at: T0 / 1000, d: { v: 1 } },
    { ttl: 1800, purpose: 'start-guard/session/v1' },
  );
  const cookie = `__Host-session=${legacy}`;
  const read = await sessions.read(cookie);
  assert.equal(read.session.userId, 'old');
  assert.equal(read.session.expiresAt, T0 / 1000 + 12 * 3600, 'derived from cms');
  clock.ms += 20 * MIN; // slides: the re-issued cookie carries the derived deadline
  const slid = await sessions.read(cookie);
  assert.equal(slid.session.expiresAt, T0 / 1000 + 12 * 3600);
  assert.equal((await sessions.read(cookieOf(slid.setCookie))).session.expiresAt, T0 / 1000 + 12 * 3600);
});

test('a forged token whose carried deadline is later than its creation allows still ends on time', async () => {
  const secrets = randomBytes(32);
  const { sessions, clock } = setup({ secrets });
  const sealer = createSealer({ secrets, nowMs: () => clock.ms });
  const token = sealer.seal(
    { sid: 'Zm9yZ2VkLWRlYWRsaW5lMTI', uid: 'k', cms: T0, at: 0, ax: T0 / 1000 + 400 * 86400, d: null },
    { ttl: 1800, purpose: 'start-guard/session/v1' },
  );
  const read = await sessions.read(`__Host-session=${token}`);
  assert.equal(read.session.expiresAt, T0 / 1000 + 12 * 3600);
  for (const ax of ['x', null, NaN]) {
    const bad = sealer.seal(
      { sid: 'Zm9yZ2VkLWRlYWRsaW5lMTI', uid: 'k', cms: T0, at: 0, ax, d: null },
      { ttl: 1800, purpose: 'start-guard/session/v1' },
    );
    assert.equal(await sessions.read(`__Host-session=${bad}`), null, String(ax));
  }
});

test('internal revokeUserBefore: a watermark at the manager clock, kept for the absolute timeout', async () => {
  const { sessions, clock, events } = setup({ absoluteTimeoutSeconds: 3600 });
  const internals = sessions[Symbol.for('start-guard.session-internals')];
  const before = sessions.create('alice', null);
  const other = sessions.create('bob', null);
  clock.ms += 5_000;
  const atMs = await internals.revokeUserBefore('alice');
  assert.equal(atMs, clock.ms, 'the watermark is the manager clock');
  assert.equal(await sessions.read(cookieOf(before.setCookie)), null, "alice's older session is revoked");
  assert.ok(await sessions.read(cookieOf(other.setCookie)), "bob's is not");
  // A session created at the watermark survives it (what "sign out my other sessions" relies on).
  const kept = internals.create('alice', null, { createdAtMs: atMs });
  assert.ok(await sessions.read(cookieOf(kept.setCookie)));
  assert.ok(
    events.some((e) => e.type === 'session.revoked' && e.userId === 'alice' && e.sessionId === undefined),
  );
  // Kept as long as a session it covers can live: near the end of one absolute timeout, a session
  // created just before the watermark is still refused.
  clock.ms = atMs + 3600_000 - 2000;
  const late = internals.create('alice', null, { createdAtMs: atMs - 1 });
  assert.equal(await sessions.read(cookieOf(late.setCookie)), null);
  await assert.rejects(internals.revokeUserBefore(''), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('internal sessionId: a given 128-bit id (migration), checked; the public create ignores it', async () => {
  const { sessions } = setup();
  const internals = sessions[Symbol.for('start-guard.session-internals')];
  const id = Buffer.alloc(16, 7).toString('base64url');
  const a = internals.create('alice', null, { sessionId: id });
  const b = internals.create('alice', null, { sessionId: id });
  assert.equal(a.session.id, id);
  assert.equal((await sessions.read(cookieOf(b.setCookie))).session.id, id);
  // Revoked once, every token of that id is refused, including ones issued later.
  await sessions.destroy(a.session);
  const c = internals.create('alice', null, { sessionId: id });
  assert.equal(await sessions.read(cookieOf(c.setCookie)), null);
  for (const bad of ['short', id + 'A', `${id.slice(0, 21)}B`, 42, '!'.repeat(22)]) {
    assert.throws(() => internals.create('alice', null, { sessionId: bad }), {
      code: 'ERR_INVALID_ARG_TYPE',
    });
  }
  assert.notEqual(sessions.create('alice', null, { sessionId: id }).session.id, id);
});

test('a legacy cookie (no ax) at the size limit still reads when it slides; reads never throw for a valid cookie', async () => {
  const secrets = randomBytes(32);
  const { sessions, clock } = setup({ secrets });
  const sealer = createSealer({ secrets, nowMs: () => clock.ms, maxTokenBytes: 4096 });
  const base = { sid: 'bGVnYWN5LXNpemUtbGltaXQ', uid: 'big', cms: T0, at: T0 / 1000 };
  // Grow the data until the cookie (name + value) is as close to 4096 bytes as it gets.
  let n = 2000;
  let token;
  for (;;) {
    const t = sealer.seal(
      { ...base, d: 'x'.repeat(n + 1) },
      { ttl: 1800, purpose: 'start-guard/session/v1' },
    );
    if ('__Host-session'.length + t.length > 4096) break;
    token = t;
    n++;
  }
  assert.ok('__Host-session'.length + token.length > 4090);
  const cookie = `__Host-session=${token}`;
  assert.ok(await sessions.read(cookie));
  clock.ms += 20 * MIN; // past half the idle window: a re-issue is due
  const slid = await sessions.read(cookie);
  assert.equal(slid.session.userId, 'big');
  if (slid.setCookie) assert.ok(await sessions.read(cookieOf(slid.setCookie)));
});

test('a cookie carrying authTime in milliseconds (an older release) reads as authTime 0, "unknown"', async () => {
  const secrets = randomBytes(32);
  const { sessions, clock } = setup({ secrets });
  const sealer = createSealer({ secrets, nowMs: () => clock.ms });
  for (const at of [T0, 43_200, -1]) {
    const t = sealer.seal(
      { sid: 'bXMtYXV0aHRpbWUtY29va2ll', uid: 'm', cms: T0, at, d: null },
      { ttl: 1800, purpose: 'start-guard/session/v1' },
    );
    const read = await sessions.read(`__Host-session=${t}`);
    assert.equal(read.session.authTime, 0, String(at));
    assert.equal(sessions.update(read.session, 1).session.authTime, 0);
  }
});

test('update checks the Session it is given: wrong fields are errors, never a cookie that cannot be read', () => {
  const { sessions } = setup();
  const good = sessions.create('u', { a: 1 }).session;
  const cases = [
    [{ ...good, createdAtMs: String(good.createdAtMs) }, 'ERR_INVALID_ARG_TYPE'],
    [{ ...good, createdAtMs: good.createdAtMs / 1000 }, 'ERR_OUT_OF_RANGE'],
    [{ ...good, authTime: String(good.authTime) }, 'ERR_INVALID_ARG_TYPE'],
    [{ ...good, authTime: good.authTime * 1000 }, 'ERR_OUT_OF_RANGE'],
    [{ ...good, userId: undefined }, 'ERR_INVALID_ARG_TYPE'],
    [{ ...good, userId: '' }, 'ERR_INVALID_ARG_TYPE'],
    [{ ...good, id: '' }, 'ERR_INVALID_ARG_TYPE'],
  ];
  for (const [session, code] of cases)
    assert.throws(() => sessions.update(session, 2), { code }, JSON.stringify(session));
  assert.equal(sessions.update(good, 2).session.data, 2);
});

test('authTime: null is refused, not taken as "signed in now"; a clock before 2001 is refused at construction', () => {
  const { sessions } = setup();
  assert.throws(() => sessions.create('u', null, { authTime: null }), { code: 'ERR_INVALID_ARG_TYPE' });
  const internals = sessions[Symbol.for('start-guard.session-internals')];
  assert.throws(() => internals.create('u', null, { authTime: null }), { code: 'ERR_INVALID_ARG_TYPE' });
  for (const ms of [0, 60_000, 946_684_800_000, NaN, Date.now() * 1000]) {
    assert.throws(
      () => setup({ nowMs: () => ms }),
      (e) => isStartGuardError(e, 'ERR_INVALID_OPTION') && /nowMs/.test(e.message),
      String(ms),
    );
  }
});
