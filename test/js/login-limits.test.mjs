// loginLimits: (account, client) and account-wide buckets on the normalized identifier, failures
// only, unknown accounts limited exactly like known ones, parallel attempts, and the identifier
// normalizer that sign-in shares.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loginLimits, normalizeIdentifier } from 'start-guard';
import { createMemoryRateStore } from './support/memory-rate-store.mjs';

let unique = 0;
const limits = (options = {}) => loginLimits({ name: `login-test-${process.pid}-${++unique}`, ...options });

// What an app's sign-in does with the limits (the passwordSignIn of start-guard/start does the
// same): check, verify, and on success give the tokens back.
const users = new Map([['ada@example.com', 'correct horse']]);
async function signIn(l, identifier, password, client) {
  const attempt = await l.check(identifier, client);
  if (!attempt.allowed)
    return { status: 429, retryAfterMs: attempt.retryAfterMs, limitedBy: attempt.limitedBy };
  const ok = users.get(normalizeIdentifier(identifier)) === password;
  if (!ok) return { status: 401 };
  await attempt.succeeded();
  return { status: 200 };
}

describe('normalizeIdentifier', () => {
  test('trims, applies NFKC, lower-cases e-mail addresses, keeps usernames', () => {
    assert.equal(normalizeIdentifier('  Ada@Example.COM \n'), 'ada@example.com');
    assert.equal(normalizeIdentifier('\u3000ａｄａ＠ｅｘａｍｐｌｅ.com'), 'ada@example.com'); // full-width
    assert.equal(normalizeIdentifier('ﬁona'), 'fiona'); // the ligature
    assert.equal(normalizeIdentifier(' Bob '), 'Bob');
    for (const bad of ['', '   ', null, undefined, 42, {}, 'x'.repeat(321)]) {
      assert.equal(normalizeIdentifier(bad), null, String(bad).slice(0, 10));
    }
    assert.equal(normalizeIdentifier('x'.repeat(320)), 'x'.repeat(320));
  });
});

describe('loginLimits', () => {
  test('unknown accounts are limited exactly like known ones', async () => {
    const l = limits({ perClient: { capacity: 3, refillPerSecond: 0.01 } });
    const known = [];
    const unknown = [];
    for (let i = 0; i < 5; i++) {
      known.push((await signIn(l, 'ada@example.com', 'wrong', '203.0.113.7')).status);
      unknown.push((await signIn(l, 'nobody@example.com', 'wrong', '203.0.113.7')).status);
    }
    assert.deepEqual(known, [401, 401, 401, 429, 429]);
    assert.deepEqual(unknown, known);
  });

  test('only failures count: a success gives its tokens back', async () => {
    const l = limits({
      perClient: { capacity: 3, refillPerSecond: 0.01 },
      perAccount: { capacity: 10, refillPerSecond: 0.01 },
    });
    await signIn(l, 'ada@example.com', 'wrong', '203.0.113.7');
    await signIn(l, 'ada@example.com', 'wrong', '203.0.113.7');
    for (let i = 0; i < 5; i++)
      assert.equal((await signIn(l, 'ada@example.com', 'correct horse', '203.0.113.7')).status, 200);
    assert.equal(
      (await l.perClient.peek(pairOf(l, 'ada@example.com', '203.0.113.7'))).remaining,
      0,
      'one try left',
    );
    assert.equal((await l.perAccount.peek('ada@example.com')).remaining, 7);
    assert.equal((await signIn(l, 'ada@example.com', 'wrong', '203.0.113.7')).status, 401);
    assert.equal((await signIn(l, 'ada@example.com', 'correct horse', '203.0.113.7')).status, 429);
  });

  test('parallel attempts cannot all pass before the first failure counts', async () => {
    const l = limits({ perClient: { capacity: 5, refillPerSecond: 0.01 } });
    const results = await Promise.all(
      Array.from({ length: 40 }, () => l.check('ada@example.com', '203.0.113.7')),
    );
    assert.equal(results.filter((r) => r.allowed).length, 5);
  });

  test('the account-wide bucket stops many clients; a refused client keeps its own tries', async () => {
    const l = limits({
      perClient: { capacity: 5, refillPerSecond: 0.01 },
      perAccount: { capacity: 8, refillPerSecond: 0.01 },
    });
    for (let i = 0; i < 8; i++)
      assert.equal((await signIn(l, 'ada@example.com', 'wrong', `198.51.100.${i}`)).status, 401);
    const refused = await signIn(l, 'ada@example.com', 'correct horse', '203.0.113.7');
    assert.equal(refused.status, 429);
    assert.equal(refused.limitedBy, 'account');
    assert.ok(refused.retryAfterMs > 90_000);
    // The refused attempt never reached the password: it cost the client nothing.
    assert.equal((await l.perClient.peek(pairOf(l, 'ada@example.com', '203.0.113.7'))).remaining, 4);
    // Other accounts are untouched.
    assert.equal((await signIn(l, 'grace@example.com', 'wrong', '203.0.113.7')).status, 401);
  });

  test('one person, however they type it, is one account', async () => {
    const l = limits({ perClient: { capacity: 2, refillPerSecond: 0.01 } });
    assert.equal((await l.check(' Ada@Example.com ', '203.0.113.7')).allowed, true);
    assert.equal((await l.check('ａｄａ@example.com', '203.0.113.7')).allowed, true);
    assert.equal((await l.check('ada@example.com', '203.0.113.7')).allowed, false);
    // Usernames are looked up as typed, but bucketed lower-case: no casing gets fresh tries.
    assert.equal((await l.check('Bob', '203.0.113.7')).allowed, true);
    assert.equal((await l.check('bob', '203.0.113.7')).allowed, true);
    assert.equal((await l.check('BOB', '203.0.113.7')).allowed, false);
  });

  test('identifiers that normalize to nothing are limited together, never thrown on', async () => {
    const l = limits({ perClient: { capacity: 2, refillPerSecond: 0.01 } });
    const results = [];
    for (const bad of [undefined, '', 'x'.repeat(2000), { toString: () => 'ada' }]) {
      results.push((await l.check(bad, '203.0.113.7')).allowed);
    }
    assert.deepEqual(results, [true, true, false, false]);
  });

  test('clients are told apart by their limitKey; a clientAddress result works as is', async () => {
    const l = limits({ perClient: { capacity: 1, refillPerSecond: 0.01 } });
    assert.equal(
      (await l.check('ada@example.com', { ip: '2001:db8:1:2::7', limitKey: '2001:db8:1:2::/64' })).allowed,
      true,
    );
    assert.equal((await l.check('ada@example.com', '2001:db8:1:2::/64')).allowed, false);
    assert.equal((await l.check('ada@example.com', '2001:db8:1:3::/64')).allowed, true);
    await assert.rejects(l.check('ada@example.com', 42), { name: 'TypeError' });
    await assert.rejects(l.check('ada@example.com', { ip: '1.2.3.4' }), { name: 'TypeError' });
  });

  test('succeeded() is idempotent; reset clears the account and the given client', async () => {
    const l = limits({
      perClient: { capacity: 2, refillPerSecond: 0.01 },
      perAccount: { capacity: 3, refillPerSecond: 0.01 },
    });
    const a = await l.check('ada@example.com', '203.0.113.7');
    await a.succeeded();
    await a.succeeded();
    assert.equal((await l.perAccount.peek('ada@example.com')).remaining, 2, 'not refunded twice');
    await l.check('ada@example.com', '203.0.113.7');
    await l.check('ada@example.com', '203.0.113.7');
    assert.equal((await l.check('ada@example.com', '203.0.113.7')).allowed, false);
    await l.reset('ada@example.com', '203.0.113.7');
    assert.equal((await l.check('ada@example.com', '203.0.113.7')).allowed, true);
  });

  test('a refusal emits ratelimit.blocked with the ip and which bucket, never the identifier', async () => {
    const events = [];
    const l = limits({ perClient: { capacity: 1, refillPerSecond: 0.01 }, onEvent: (e) => events.push(e) });
    await l.check('ada@example.com', { ip: '203.0.113.7', limitKey: '203.0.113.7' });
    await l.check('ada@example.com', { ip: '203.0.113.7', limitKey: '203.0.113.7' });
    assert.equal(events.length, 1, JSON.stringify(events));
    assert.equal(events[0].type, 'ratelimit.blocked');
    assert.equal(events[0].ip, '203.0.113.7');
    assert.match(events[0].reason, /client/);
    assert.ok(!JSON.stringify(events).includes('ada'));
  });

  test('with a store, both buckets live in it', async () => {
    const store = createMemoryRateStore();
    const l = limits({ store, perClient: { capacity: 1, refillPerSecond: 0.01 } });
    assert.equal((await l.check('ada@example.com', '203.0.113.7')).allowed, true);
    assert.equal((await l.check('ada@example.com', '203.0.113.7')).allowed, false);
    const names = new Set(store.calls.map((c) => c.at(-1).name));
    assert.equal(names.size, 2);
    assert.ok([...names].every((n) => n.startsWith(l.perClient.name.replace(/:client$/, ''))));
  });

  test('options are checked, naming the option', () => {
    assert.throws(() => loginLimits({ perClient: { capacity: 0, refillPerSecond: 1 } }), {
      message: /options\.perClient\.capacity/,
    });
    assert.throws(() => loginLimits({ perAccount: { capacity: 5 } }), {
      message: /options\.perAccount\.refillPerSecond/,
    });
    assert.throws(() => loginLimits({ perAccount: 5 }), { name: 'TypeError' });
    // Defaults: one client 5 tries then one a minute; the account 50 then one every 5 minutes.
    const l = limits();
    assert.equal(l.perClient.capacity, 5);
    assert.equal(l.perAccount.capacity, 50);
  });
});

/** The (account, client) key, as loginLimits builds it, to look into the bucket in tests. */
function pairOf(_l, account, client) {
  return `${client.length}:${client}|${account}`;
}
