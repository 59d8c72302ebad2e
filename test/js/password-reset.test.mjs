// Password reset: the same answer for every address with the work after it, the link from
// configuration to the address on record, completion (hash, sessions revoked, no sign-in, link
// spent), refusals, limits per address and per client, the bounded queue, and events that carry
// neither the token nor the address.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPasswordReset, isStartGuardError, requestLimits, verifyPassword } from 'start-guard';
import { app, hasher, limits, tokenOf } from './support/flows.mjs';

const client = { ip: '203.0.113.7', limitKey: '203.0.113.7' };
const ACCEPTED = { allowed: true, retryAfterMs: 0 };

describe('requestReset', () => {
  test('the same answer for a known, an unknown and a malformed address; the lookup and the e-mail come after it', async () => {
    const a = app();
    for (const identifier of ['ada@example.com', 'nobody@example.com', '', 'x'.repeat(5000), 42]) {
      const answer = await a.reset.requestReset(identifier, { client });
      assert.deepEqual(answer, ACCEPTED, String(identifier).slice(0, 40));
      // Nothing was looked up or sent before the answer.
      assert.equal(a.calls.findUser, 0);
      assert.equal(a.calls.send, 0);
    }
    await a.reset.idle();
    assert.equal(a.calls.findUser, 2, 'only real addresses are looked up');
    assert.equal(a.outbox.length, 1, 'only the known address gets a mail');
  });

  test('the link goes to the address on record, from the configured origin, with a 30-minute token', async () => {
    const a = app();
    // Typed with spaces, full-width letters and capitals: normalized for the lookup, and the mail
    // goes to the stored address (never to what was typed).
    await a.reset.requestReset('  ＡＤＡ@Example.COM ', { client });
    await a.reset.idle();
    assert.equal(a.outbox.length, 1);
    const [mail] = a.outbox;
    assert.equal(mail.to, 'ada@example.com');
    assert.equal(mail.userId, 'u-ada');
    const url = new URL(mail.url);
    assert.equal(url.origin + url.pathname, 'https://app.example.com/reset-password');
    assert.match(url.searchParams.get('token'), /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    assert.ok(Math.abs(mail.expiresAt - (Date.now() / 1000 + 1800)) < 2);
    assert.equal(await a.reset.checkReset(tokenOf(mail)), true);
  });

  test('events: requested (with the user only when known), sent; never the token or the address', async () => {
    const a = app();
    await a.reset.requestReset('ada@example.com', { client });
    await a.reset.requestReset('nobody@example.com', { client });
    await a.reset.idle();
    // The jobs start after a random delay each: their events come in either order.
    const types = a.events.map((e) => [e.type, e.userId, e.reason, e.ip]);
    assert.deepEqual(
      types.filter((t) => t[1] === 'u-ada'),
      [
        ['reset.requested', 'u-ada', undefined, client.ip],
        ['reset.sent', 'u-ada', undefined, client.ip],
      ],
    );
    assert.deepEqual(
      types.filter((t) => t[1] !== 'u-ada'),
      [['reset.requested', undefined, 'unknown_account', client.ip]],
    );
    const text = JSON.stringify(a.events);
    assert.ok(!text.includes('example.com'), 'no address in events');
    assert.ok(!text.includes(tokenOf(a.outbox[0]).slice(0, 22)), 'no token (not even its id) in events');
    for (const e of a.events) assert.equal(typeof e.at, 'number');
  });

  test('per address: unknown addresses are limited exactly like known ones, casings share a bucket', async () => {
    const a = app({ limits: { perAddress: { capacity: 3, refillPerSecond: 1 / 900 } } });
    for (const address of ['ada@example.com', 'nobody@example.com']) {
      const variants = [address, address.toUpperCase(), ` ${address}`, address];
      const answers = [];
      for (const v of variants) answers.push(await a.reset.requestReset(v, { client }));
      assert.deepEqual(answers.slice(0, 3), [ACCEPTED, ACCEPTED, ACCEPTED], address);
      assert.equal(answers[3].allowed, false);
      assert.equal(answers[3].limitedBy, 'address');
      assert.ok(
        answers[3].retryAfterMs > 800_000 && answers[3].retryAfterMs <= 900_000,
        `${answers[3].retryAfterMs}`,
      );
    }
    await a.reset.idle();
    assert.equal(a.outbox.length, 3, 'at most three mails to one inbox');
    const blocked = a.events.filter((e) => e.type === 'ratelimit.blocked');
    assert.deepEqual(
      blocked.map((e) => [e.reason, e.ip]),
      [
        ['reset: this address', client.ip],
        ['reset: this address', client.ip],
      ],
    );
  });

  test('per client: one client asking for many addresses is refused, others are not', async () => {
    const a = app({ limits: { perClient: { capacity: 5, refillPerSecond: 1 / 120 } } });
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(await a.reset.requestReset(`user${i}@example.com`, { client }));
    assert.equal(answers.filter((x) => x.allowed).length, 5);
    assert.equal(answers[6].limitedBy, 'client');
    const other = { ip: '198.51.100.1', limitKey: '198.51.100.1' };
    assert.deepEqual(await a.reset.requestReset('user9@example.com', { client: other }), ACCEPTED);
    // A plain string key works as a client too; no client at all is a programmer error.
    assert.deepEqual(await a.reset.requestReset('user9@example.com', { client: 'edge-1' }), ACCEPTED);
    await assert.rejects(a.reset.requestReset('ada@example.com', {}), {
      code: 'ERR_INVALID_ARG_TYPE',
      message: /"client"/,
    });
    await a.reset.idle();
  });

  test('the queue is bounded: a flood is refused (limitedBy "queue"), never held in memory', async () => {
    let release;
    const gate = new Promise((r) => (release = r));
    const a = app({
      reset: { queue: { concurrency: 1, maxPending: 2 }, findUser: async () => (await gate, null) },
    });
    assert.deepEqual(await a.reset.requestReset('a@example.com', { client }), ACCEPTED);
    assert.deepEqual(await a.reset.requestReset('b@example.com', { client }), ACCEPTED);
    const third = await a.reset.requestReset('c@example.com', { client });
    assert.deepEqual(third, { allowed: false, retryAfterMs: 1000, limitedBy: 'queue' });
    assert.deepEqual(
      a.events.filter((e) => e.type === 'reset.failed').map((e) => e.reason),
      ['queue_full'],
    );
    release();
    await a.reset.idle();
    assert.deepEqual(await a.reset.requestReset('d@example.com', { client }), ACCEPTED);
    await a.reset.idle();
  });

  test('a failing send or lookup is an event, never an unhandled rejection; the unsent link does not work', async () => {
    const a = app({
      reset: {
        send: async (m) => {
          a.outbox.push(m);
          throw new Error('SMTP down');
        },
      },
    });
    await a.reset.requestReset('ada@example.com', { client });
    await a.reset.idle();
    assert.equal(a.events.at(-1).type, 'reset.failed');
    assert.equal(a.events.at(-1).reason, 'send');
    assert.equal(await a.reset.checkReset(tokenOf(a.outbox[0])), false);

    const b = app({ reset: { findUser: async () => Promise.reject(new Error('db down')) } });
    await b.reset.requestReset('ada@example.com', { client });
    await b.reset.idle();
    assert.deepEqual(
      b.events.map((e) => [e.type, e.reason]),
      [['reset.failed', 'lookup']],
    );
  });
});

describe('completeReset', () => {
  async function mailedToken(a, address = 'ada@example.com') {
    await a.reset.requestReset(address, { client });
    await a.reset.idle();
    return tokenOf(a.outbox.at(-1));
  }

  test('sets the hashed password, revokes every session of the user, signs no one in, and spends the link', async () => {
    const a = app();
    const s1 = a.sessions.create('u-ada', {});
    const s2 = a.sessions.create('u-ada', {});
    const other = a.sessions.create('u-grace', {});
    await new Promise((r) => setTimeout(r, 5)); // the sessions predate the reset by a few ms
    const token = await mailedToken(a);
    const result = await a.reset.completeReset(token, 'correct horse battery', { client });
    assert.deepEqual(result, { userId: 'u-ada' }, 'a user id only: no session, no cookie');
    const saved = a.byId('u-ada').passwordHash;
    assert.equal(await hasher.verify(saved, 'correct horse battery'), true);
    assert.equal(await a.sessions.read(s1.setCookie.split(';')[0]), null);
    assert.equal(await a.sessions.read(s2.setCookie.split(';')[0]), null);
    assert.ok(await a.sessions.read(other.setCookie.split(';')[0]), "another user's session is untouched");
    // A sign-in after the reset works.
    await new Promise((r) => setTimeout(r, 2));
    const fresh = a.sessions.create('u-ada', {});
    assert.ok(await a.sessions.read(fresh.setCookie.split(';')[0]));
    // The link is spent.
    assert.equal(await a.reset.completeReset(token, 'another password'), null);
    assert.equal(a.byId('u-ada').passwordHash, saved);
    assert.deepEqual(
      a.events
        .filter((e) => e.type.startsWith('reset.c') || e.type === 'reset.rejected')
        .map((e) => [e.type, e.userId, e.reason]),
      [
        ['reset.completed', 'u-ada', undefined],
        ['reset.rejected', undefined, 'unknown'],
      ],
    );
  });

  test('without a hasher the flow uses the default one (Argon2id at OWASP parameters, the default policy)', async () => {
    const a = app({ reset: { hasher: undefined } });
    const token = await mailedToken(a);
    await assert.rejects(a.reset.completeReset(token, 'short'), (e) =>
      isStartGuardError(e, 'ERR_PASSWORD_TOO_SHORT'),
    );
    assert.ok(await a.reset.completeReset(token, 'ﬁne new password'));
    const saved = a.byId('u-ada').passwordHash;
    assert.match(saved, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword(saved, 'fine new password'), true);
  });

  test('a completed reset voids the other reset links the user was sent', async () => {
    const a = app();
    const first = await mailedToken(a);
    const second = await mailedToken(a);
    assert.ok(await a.reset.completeReset(second, 'a new password!'));
    assert.equal(await a.reset.checkReset(first), false);
  });

  test('a password the hasher refuses: the error is thrown and the link still works', async () => {
    const a = app();
    const token = await mailedToken(a);
    await assert.rejects(a.reset.completeReset(token, 'short'), (e) =>
      isStartGuardError(e, 'ERR_PASSWORD_TOO_SHORT'),
    );
    assert.equal(a.byId('u-ada').passwordHash, 'old');
    assert.equal(await a.reset.checkReset(token), true);
    assert.ok(await a.reset.completeReset(token, 'long enough now'));
  });

  test('refused: a verification link, a tampered or malformed token, an expired one; nothing changes', async () => {
    let now = Date.now();
    const a = app();
    // A verification token of the same user cannot reset the password.
    await a.verification.requestVerification({ id: 'u-ada', email: 'ada@example.com' }, { client });
    await a.verification.idle();
    const verifyToken = tokenOf(a.outbox.at(-1));
    assert.equal(await a.reset.completeReset(verifyToken, 'a new password!'), null);
    const token = await mailedToken(a);
    const tampered = token.slice(0, 30) + (token[30] === 'A' ? 'B' : 'A') + token.slice(31);
    for (const bad of [tampered, token.slice(0, -1), '', null, { token }]) {
      assert.equal(await a.reset.completeReset(bad, 'a new password!'), null);
    }
    const reasons = a.events.filter((e) => e.type === 'reset.rejected').map((e) => e.reason);
    assert.deepEqual(reasons, [
      'wrong_purpose',
      'mismatch',
      'malformed',
      'malformed',
      'malformed',
      'malformed',
    ]);
    assert.equal(a.byId('u-ada').passwordHash, 'old');
    assert.ok(await a.verification.completeVerification(verifyToken), 'the verification link still works');

    // Expired: a flow over tokens with a clock moved past 30 minutes.
    const { createSingleUseTokens, createMemoryTokenStore } = await import('start-guard');
    const store = createMemoryTokenStore();
    const clocked = createSingleUseTokens({ store, nowMs: () => now });
    const b = app({ reset: { tokens: clocked } });
    const old = await mailedToken(b);
    now += 30 * 60 * 1000;
    assert.equal(await b.reset.completeReset(old, 'a new password!'), null);
    assert.equal(b.events.at(-1).reason, 'expired');
  });

  test('two completions of one link at the same time: exactly one succeeds', async () => {
    const a = app();
    const token = await mailedToken(a);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => a.reset.completeReset(token, `password number ${i}`)),
    );
    const winners = results.filter((r) => r !== null);
    assert.equal(winners.length, 1);
    assert.equal(a.events.filter((e) => e.type === 'reset.completed').length, 1);
  });
});

describe('options', () => {
  const base = () => {
    const a = app();
    return {
      tokens: a.tokens,
      url: 'https://app.example.com/reset',
      findUser: async () => null,
      send: async () => {},
      hasher,
      savePassword: async () => {},
      revocation: a.revocation,
      limits: limits('reset'),
    };
  };

  test('the link base must be absolute https (plain http only on loopback)', () => {
    for (const url of ['http://app.example.com/reset', 'ftp://x/', '/reset', 'javascript:alert(1)']) {
      assert.throws(
        () => createPasswordReset({ ...base(), url }),
        (e) => e.code === 'ERR_INVALID_OPTION' || e.code === 'ERR_INVALID_ARG_TYPE',
        url,
      );
    }
    assert.throws(
      () => createPasswordReset({ ...base(), url: 'https://u:p@app.example.com/' }),
      /credentials/,
    );
    assert.throws(
      () => createPasswordReset({ ...base(), url: 'https://app.example.com/r?token=x' }),
      /token/,
    );
    assert.throws(() => createPasswordReset({ ...base(), url: 'https://app.example.com/r#x' }), /fragment/);
    assert.ok(createPasswordReset({ ...base(), url: 'http://localhost:3000/reset' }));
  });

  test('a loopback link with NODE_ENV=production works, with one warning (a production build run locally)', async () => {
    const saved = process.env.NODE_ENV;
    const warnings = [];
    const onWarning = (w) => warnings.push(w);
    process.on('warning', onWarning);
    process.env.NODE_ENV = 'production';
    try {
      assert.ok(createPasswordReset({ ...base(), url: 'http://localhost:3000/reset' }));
      assert.ok(createPasswordReset({ ...base(), url: 'http://127.0.0.1:3000/reset' }));
      // Off loopback, plain http is still refused in production as anywhere else.
      assert.throws(() => createPasswordReset({ ...base(), url: 'http://app.example.com/reset' }), {
        code: 'ERR_INVALID_OPTION',
      });
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
      if (saved === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = saved;
    }
    const ours = warnings.filter((w) => w.code === 'START_GUARD_LOOPBACK_LINK');
    assert.equal(ours.length, 1, warnings.map(String).join('\n'));
    assert.match(ours[0].message, /http:\/\/localhost:3000.*this machine only/);
  });

  test('missing collaborators are TypeErrors naming them', () => {
    assert.throws(() => createPasswordReset({ ...base(), hasher: { hash: 'no' } }), {
      message: /"options.hasher"/,
    });
    for (const name of ['tokens', 'send', 'findUser', 'savePassword', 'revocation']) {
      assert.throws(
        () => createPasswordReset({ ...base(), [name]: undefined }),
        { message: new RegExp(`"options.${name}"`) },
        name,
      );
    }
    // limits is optional (resetLimits() by default), but not anything.
    assert.throws(() => createPasswordReset({ ...base(), limits: null }), { message: /"options.limits"/ });
    assert.doesNotThrow(() => createPasswordReset({ ...base(), limits: undefined }));
    assert.throws(() => createPasswordReset({ ...base(), ttlSeconds: 0 }), { code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => createPasswordReset({ ...base(), sessionMaxAgeSeconds: 401 * 86400 }), {
      code: 'ERR_OUT_OF_RANGE',
    });
    assert.throws(() => requestLimits({ perClient: { take() {} } }), { message: /"options.perAddress"/ });
    const take = async () => ({ allowed: true, remaining: 1, retryAfterMs: 0 });
    assert.throws(() => requestLimits({ perClient: { take }, perAddress: { take }, perAccount: {} }), {
      message: /"options.perAccount"/,
    });
    const handMade = { check: async () => ({ allowed: true, retryAfterMs: 0 }), perAccount: { take: 1 } };
    assert.throws(() => createPasswordReset({ ...base(), limits: handMade }), {
      message: /"options.limits.perAccount"/,
    });
    assert.throws(() => createPasswordReset({ ...base(), queue: { maxPending: 0 } }), {
      message: /"options.queue.maxPending"/,
    });
  });
});

test('resetLimits and registrationLimits: presets on the real limiter, unknown addresses limited like known ones', async () => {
  const { resetLimits, registrationLimits, RESET_DEFAULTS, REGISTRATION_DEFAULTS } =
    await import('start-guard');
  assert.deepEqual(RESET_DEFAULTS.perAddress, { capacity: 3, refillPerSecond: 1 / 900 });
  assert.equal(REGISTRATION_DEFAULTS.perClient.capacity, 5);
  const events = [];
  const reset = resetLimits({ name: `t-reset-${process.pid}`, onEvent: (e) => events.push(e) });
  // Per address: 3 mails, whichever clients ask, known address or not.
  for (const address of ['ada@example.com', 'nobody@example.com']) {
    for (let i = 0; i < 3; i++) assert.equal((await reset.check(address, `client-${i}`)).allowed, true);
    const fourth = await reset.check(` ${address.toUpperCase()} `, 'client-9');
    assert.equal(fourth.allowed, false);
    assert.equal(fourth.limitedBy, 'address');
    assert.ok(fourth.retryAfterMs > 800_000 && fourth.retryAfterMs <= 900_000, String(fourth.retryAfterMs));
  }
  // Per client: 10 requests, whatever the addresses.
  const c = { ip: '203.0.113.7', limitKey: '203.0.113.7' };
  for (let i = 0; i < 10; i++) assert.equal((await reset.check(`a${i}@example.com`, c)).allowed, true);
  const eleventh = await reset.check('z@example.com', c);
  assert.equal(eleventh.limitedBy, 'client');
  assert.ok(events.some((e) => e.type === 'ratelimit.blocked' && e.ip === '203.0.113.7'));
  assert.ok(
    events.every((e) => !JSON.stringify(e).includes('@')),
    'no address in an event',
  );
  const reg = registrationLimits({
    name: `t-reg-${process.pid}`,
    perClient: { capacity: 2, refillPerSecond: 0.001 },
  });
  assert.equal((await reg.check('x@example.com', 'k')).allowed, true);
  assert.equal((await reg.check('y@example.com', 'k')).allowed, true);
  assert.equal((await reg.check('z@example.com', 'k')).limitedBy, 'client');
  assert.throws(() => resetLimits({ perAddress: { capacity: 0, refillPerSecond: 1 } }), RangeError);
});

/** Spellings of ada's address with invisible characters in every position (e-mail bombing). */
function invisibleVariants(address) {
  const invisible = ['\u200b', '\u200c', '\u200d', '\u2060', '\u00ad', '\u034f', '\ufeff', '\u180e'];
  const out = [];
  for (const ch of invisible)
    for (let pos = 1; pos < address.length; pos += 3)
      out.push(address.slice(0, pos) + ch + address.slice(pos));
  return out;
}

// The app's lookup through an ICU collation that ignores default-ignorable code points, as
// Postgres' nondeterministic ICU collations and MySQL's utf8mb4_0900_ai_ci do.
const collator = new Intl.Collator('und', { sensitivity: 'accent' });

describe('per account, after the answer', () => {
  test('invisible-character spellings share one address bucket: three mails, then refusals as for any address', async () => {
    const { resetLimits } = await import('start-guard');
    const a = app({
      reset: {
        findUser: async (identifier) =>
          [...a.users.values()].find((u) => collator.compare(u.email, identifier) === 0) ?? null,
        limits: resetLimits({ name: `t-fold-${process.pid}` }),
      },
    });
    const variants = invisibleVariants('ada@example.com');
    assert.ok(variants.length >= 40);
    const answers = [];
    for (const [i, v] of variants.entries()) {
      answers.push(await a.reset.requestReset(v, { client: `198.51.100.${Math.floor(i / 10)}` }));
    }
    // The address bucket's key drops default-ignorable code points: every spelling is one address.
    assert.equal(answers.filter((x) => x.allowed).length, 3);
    await a.reset.idle();
    assert.equal(a.outbox.length, 3, 'three mails to the inbox, whatever the spelling');
  });

  test('spellings that the lookup maps to one account (plus tags) reach at most the account its share (resetLimits defaults)', async () => {
    const { resetLimits, RESET_DEFAULTS } = await import('start-guard');
    assert.deepEqual(RESET_DEFAULTS.perAccount, { capacity: 3, refillPerSecond: 1 / 900 });
    const a = app({
      reset: {
        // The app folds sub-addresses (ada+anything@ is ada@): the address buckets cannot know that.
        findUser: async (identifier) =>
          [...a.users.values()].find((u) => u.email === String(identifier).replace(/\+[^@]*@/, '@')) ?? null,
        limits: resetLimits({ name: `t-account-${process.pid}` }),
      },
    });
    const variants = Array.from({ length: 40 }, (_, i) => `ada+${i}@example.com`);
    const answers = [];
    for (const [i, v] of variants.entries()) {
      // Ten requests per client (its capacity): the per-client limit is not what stops them.
      answers.push(await a.reset.requestReset(v, { client: `198.51.100.${Math.floor(i / 10)}` }));
    }
    // Each spelling is its own address bucket (the answer is the same as for anyone).
    assert.ok(
      answers.every((x) => x.allowed),
      'the answers say nothing',
    );
    await a.reset.idle();
    assert.equal(a.outbox.length, 3, 'three mails to the inbox, whatever the spelling');
    const skipped = a.events.filter((e) => e.type === 'reset.failed' && e.reason === 'account_limit');
    assert.equal(skipped.length, variants.length - 3);
    assert.ok(skipped.every((e) => e.userId === 'u-ada'));
    // Another account is not affected by ada's bucket.
    await a.reset.requestReset('grace@example.com', { client: 'c-grace' });
    await a.reset.idle();
    assert.equal(a.outbox.at(-1).to, 'grace@example.com');
  });

  test('unknown and over-limit addresses write the store as a known one does (a decoy), and send nothing', async () => {
    const { createMemoryTokenStore } = await import('start-guard');
    const inner = createMemoryTokenStore();
    const ops = [];
    const tokenStore = {
      insert: async (r) => (ops.push(['insert', r.purpose, r.verifier.length]), inner.insert(r)),
      find: async (id) => (ops.push(['find']), inner.find(id)),
      delete: async (id) => (ops.push(['delete']), inner.delete(id)),
      deleteForUser: async (u, p) => (ops.push(['deleteForUser']), inner.deleteForUser(u, p)),
    };
    const a = app({ tokenStore, limits: { perAccount: { capacity: 1, refillPerSecond: 1 / 900 } } });
    const storeOps = async (address) => {
      ops.length = 0;
      await a.reset.requestReset(address, { client });
      await a.reset.idle();
      return [...ops];
    };
    const known = await storeOps('ada@example.com');
    const unknown = await storeOps('nobody@example.com');
    const overLimit = await storeOps('ada@example.com');
    assert.deepEqual(known, [['insert', 'reset', 43]]);
    assert.deepEqual(unknown, known);
    assert.deepEqual(overLimit, known);
    assert.equal(a.outbox.length, 1);
    // The decoy belongs to no one and is dead within a second.
    const decoys = [];
    const spy = { ...tokenStore, insert: async (r) => (decoys.push(r), inner.insert(r)) };
    const b = app({ tokenStore: spy });
    await b.reset.requestReset('nobody@example.com', { client });
    await b.reset.idle();
    assert.equal(decoys.length, 1);
    assert.equal(decoys[0].userId, 'start-guard:no-account');
    assert.ok(decoys[0].expiresAt <= Math.ceil(Date.now() / 1000) + 1);
  });

  test('the work starts after a random delay (0 to maxStartDelayMs), not right after the answer', async () => {
    const started = [];
    let answeredAt = 0;
    const a = app({
      reset: {
        queue: { maxStartDelayMs: 40, concurrency: 100 },
        findUser: async () => (started.push(performance.now() - answeredAt), null),
      },
    });
    for (let i = 0; i < 20; i++) {
      await a.reset.requestReset(`user${i}@example.com`, { client: `c${i}` });
      answeredAt ||= performance.now();
    }
    await a.reset.idle();
    assert.equal(started.length, 20);
    const spread = Math.max(...started) - Math.min(...started);
    assert.ok(spread >= 10, `start delays spread over ${spread.toFixed(1)} ms`);
    assert.throws(() => app({ reset: { queue: { maxStartDelayMs: -1 } } }), {
      message: /"options.queue.maxStartDelayMs"/,
    });
  });
});

describe('completeReset failures', () => {
  test('a failing savePassword is reset.failed (reason save) and thrown; the user stays signed out, the link spent', async () => {
    const a = app({
      reset: {
        savePassword: async () => {
          throw new Error('db write failed');
        },
      },
    });
    const s = a.sessions.create('u-ada', {});
    await new Promise((r) => setTimeout(r, 5));
    await a.reset.requestReset('ada@example.com', { client });
    await a.reset.idle();
    const token = tokenOf(a.outbox[0]);
    await assert.rejects(a.reset.completeReset(token, 'a new password!', { client }), /db write failed/);
    assert.deepEqual(
      a.events.filter((e) => e.type === 'reset.failed').map((e) => [e.userId, e.reason, e.ip]),
      [['u-ada', 'save', client.ip]],
    );
    assert.equal(await a.sessions.read(s.setCookie.split(';')[0]), null);
    assert.equal(await a.reset.checkReset(token), false);
    assert.equal(a.byId('u-ada').passwordHash, 'old');
  });

  test('a failing revocation store is reset.failed (reason revoke) and thrown', async () => {
    const a = app();
    const failing = {
      ...a.revocation,
      revokeUserBefore: async () => {
        throw new Error('revocation store down');
      },
    };
    const b = app({ reset: { revocation: failing } });
    await b.reset.requestReset('ada@example.com', { client });
    await b.reset.idle();
    await assert.rejects(b.reset.completeReset(tokenOf(b.outbox[0]), 'a new password!'), /store down/);
    assert.deepEqual(
      b.events.filter((e) => e.type === 'reset.failed').map((e) => e.reason),
      ['revoke'],
    );
  });
});

test('ttlSeconds: a reset link lives at most a day; milliseconds for seconds are refused, naming the unit', () => {
  const a = app();
  const options = {
    tokens: a.tokens,
    url: 'https://app.example.com/reset',
    findUser: async () => null,
    send: async () => {},
    savePassword: async () => {},
    revocation: a.revocation,
  };
  assert.throws(
    () => createPasswordReset({ ...options, ttlSeconds: 30 * 60 * 1000 }),
    (e) =>
      e.code === 'ERR_OUT_OF_RANGE' &&
      /"options.ttlSeconds"/.test(e.message) &&
      /86400 \(1 day\) for a 'reset' link/.test(e.message) &&
      /20\.8 days: seconds, not milliseconds/.test(e.message),
  );
  assert.throws(() => createPasswordReset({ ...options, ttlSeconds: 86401 }), { code: 'ERR_OUT_OF_RANGE' });
  assert.ok(createPasswordReset({ ...options, ttlSeconds: 86400 }));
});
