// loginLimits: client-wide, (account, client) and account-wide buckets on the normalized
// identifier, failures only, unknown accounts limited exactly like known ones, parallel attempts,
// one client flooding made-up accounts, identifier variants a collation equates, and the
// identifier normalizer that sign-in shares.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
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

  test('drops invisible (default-ignorable) code points: what looks the same is the same', () => {
    for (const invisible of [
      '\u200b',
      '\u00ad',
      '\u2060',
      '\u034f',
      '\u200c',
      '\u200d',
      '\ufeff',
      '\ufe0f',
    ]) {
      const label = invisible.codePointAt(0).toString(16);
      assert.equal(normalizeIdentifier(`ada${invisible}@example.com`), 'ada@example.com', label);
      assert.equal(normalizeIdentifier(`Bo${invisible}b`), 'Bob', label);
      assert.equal(normalizeIdentifier(`${invisible} Bob ${invisible}`), 'Bob', label);
      assert.equal(normalizeIdentifier(invisible.repeat(3)), null, label);
    }
    // NFKC turns the half-width Hangul filler into the Hangul filler: invisible too.
    assert.equal(normalizeIdentifier('Bob\uffa0'), 'Bob');
    // A combining grapheme joiner between marks blocked their composition: gone, they compose.
    assert.equal(normalizeIdentifier('e\u034f\u0301'), '\u00e9');
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

  test("after a password reset, { account: false } clears the client's bucket only: a folded twin cannot refill the account", async () => {
    // jose@ and josé@ are two real accounts with one account bucket (the key folds accents). The
    // owner of josé@ drains it with guesses at jose@, then resets their own password.
    const l = limits({
      perClientTotal: { capacity: 1000, refillPerSecond: 0.01 },
      perClient: { capacity: 2, refillPerSecond: 0.01 },
      perAccount: { capacity: 4, refillPerSecond: 0.001 },
    });
    let ip = 0;
    while ((await l.check('jose@example.com', `198.51.100.${++ip}`)).allowed);
    const own = '203.0.113.9';
    await l.check('josé@example.com', own); // refused by the account bucket, counted nowhere
    await l.reset('josé@example.com', own, { account: false });
    const next = await l.check('jose@example.com', '203.0.113.10');
    assert.equal(next.allowed, false, "the victim's account bucket is still empty");
    assert.equal(next.limitedBy, 'account');
    // The resetting client's own (account, client) bucket is cleared.
    const pair = limits({ perClient: { capacity: 1, refillPerSecond: 0.001 } });
    await pair.check('ada@example.com', own);
    assert.equal((await pair.check('ada@example.com', own)).limitedBy, 'client');
    await pair.reset('ada@example.com', own, { account: false });
    assert.equal((await pair.check('ada@example.com', own)).allowed, true);
    // { account: false } without a client would clear nothing: a TypeError naming it.
    await assert.rejects(pair.reset('ada@example.com', undefined, { account: false }), {
      name: 'TypeError',
      message: /"client"/,
    });
    await assert.rejects(pair.reset('ada@example.com', own, { account: 'no' }), { name: 'TypeError' });
    // An operator's unlock (the default) clears the account bucket, for every folded variant.
    await l.reset('josé@example.com');
    assert.equal((await l.check('jose@example.com', '203.0.113.11')).allowed, true);
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

  test('with a store, the three buckets live in it', async () => {
    const store = createMemoryRateStore();
    const l = limits({ store, perClient: { capacity: 1, refillPerSecond: 0.01 } });
    assert.equal((await l.check('ada@example.com', '203.0.113.7')).allowed, true);
    assert.equal((await l.check('ada@example.com', '203.0.113.7')).allowed, false);
    const names = new Set(store.calls.map((c) => c.at(-1).name));
    assert.equal(names.size, 3);
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
    assert.throws(() => loginLimits({ perClientTotal: { capacity: 5, refillPerSecond: 0 } }), {
      message: /options\.perClientTotal\.refillPerSecond/,
    });
    // Defaults: one client 100 tries in all, then one a second; 5 at one account, then one a
    // minute; the account 50, then one every 5 minutes.
    const l = limits();
    assert.equal(l.perClientTotal.capacity, 100);
    assert.equal(l.perClientTotal.refillPerSecond, 1);
    assert.equal(l.perClient.capacity, 5);
    assert.equal(l.perAccount.capacity, 50);
  });

  test("the client 'unknown' (no peer address) is everyone's: only the account bucket limits it", async () => {
    // An app that passes no peer address gives every request the key 'unknown': a bucket on it
    // would let one client lock every other out of sign-in, site-wide.
    const l = limits({ perAccount: { capacity: 8, refillPerSecond: 0.001 } });
    const unknown = { ip: null, limitKey: 'unknown' };
    for (let i = 0; i < 150; i++) {
      const a = await l.check(`nobody${i}@example.com`, unknown);
      assert.equal(a.allowed, true, `made-up try ${i}`);
    }
    assert.equal((await l.check('alice@example.com', unknown)).allowed, true, 'alice is not locked out');
    // Nor one bucket per account for all of them: after 6 failures at bob@, bob still signs in,
    // until the account bucket (every client's tries at bob@) is empty.
    const tries = [];
    for (let i = 0; i < 9; i++) tries.push(await l.check('bob@example.com', 'unknown'));
    assert.deepEqual(
      tries.map((a) => a.limitedBy ?? 'allowed'),
      [...Array(8).fill('allowed'), 'account'],
    );
    // Nothing was taken from the client buckets under 'unknown'.
    assert.equal((await l.perClientTotal.peek('unknown')).remaining, 99);
    // A real address is still limited by its own bucket.
    const ip = limits();
    let n = 0;
    while ((await ip.check(`nobody${n}@example.com`, '198.51.100.20')).allowed) n++;
    assert.equal(n, 100);
  });

  test('knownDevice passes the client bucket emptied by a neighbour, never the (account, client) or account ones', async () => {
    const l = limits({
      perClientTotal: { capacity: 3, refillPerSecond: 0.001 },
      perClient: { capacity: 2, refillPerSecond: 0.001 },
      perAccount: { capacity: 4, refillPerSecond: 0.001 },
    });
    const nat = { ip: '198.51.100.20', limitKey: '198.51.100.20' };
    for (let i = 0; i < 3; i++) await l.check(`nobody${i}@example.com`, nat);
    assert.equal((await l.check('alice@example.com', nat)).limitedBy, 'clientTotal');
    const device = { knownDevice: true };
    const ok = await l.check('alice@example.com', nat, device);
    assert.equal(ok.allowed, true, "alice's device passes");
    await ok.succeeded();
    assert.equal((await l.perClientTotal.peek(nat.limitKey)).allowed, false, 'nothing was given back to it');
    // Failures with the device cookie still count where they always did.
    const seen = [];
    for (let i = 0; i < 3; i++)
      seen.push((await l.check('alice@example.com', nat, device)).limitedBy ?? 'allowed');
    assert.deepEqual(seen, ['allowed', 'allowed', 'client']);
    for (let i = 1; i <= 3; i++) await l.check('alice@example.com', `203.0.113.${i}`);
    assert.equal((await l.check('alice@example.com', '203.0.113.50', device)).limitedBy, 'account');
    // knownDevice: false (or absent) is the plain check.
    assert.equal((await l.check('carol@example.com', nat, { knownDevice: false })).limitedBy, 'clientTotal');
    await assert.rejects(l.check('carol@example.com', nat, { knownDevice: 'yes' }), {
      name: 'TypeError',
      message: /options\.knownDevice/,
    });
  });

  test('one client cannot fill the tables with made-up accounts and lock every new account out', async () => {
    // Tables of 300 keys: one address trying 1,000 made-up identifiers used to fill the pair and
    // account tables with buckets still limiting, so that the next new account was refused for
    // a minute, from anywhere. Its own bucket (100 tries) stops it first now.
    const l = limits({ maxKeys: 300 });
    const answers = [];
    for (let i = 0; i < 1000; i++) answers.push(await l.check(`made-up-${i}@example.com`, '203.0.113.66'));
    for (let i = 0; i < 50; i++) {
      const attempt = await l.check(`new-user-${i}@example.com`, `198.51.100.${i}`);
      assert.equal(attempt.allowed, true, `new account ${i}`);
    }
    assert.equal(answers.filter((a) => a.allowed).length, 100);
    assert.ok(answers.slice(100).every((a) => a.limitedBy === 'clientTotal' && a.retryAfterMs > 0));
  });

  test("the client's bucket: failures count, a success and a later refusal give the try back", async () => {
    const l = limits({
      perClientTotal: { capacity: 4, refillPerSecond: 0.01 },
      perClient: { capacity: 2, refillPerSecond: 0.01 },
      perAccount: { capacity: 3, refillPerSecond: 0.01 },
    });
    const client = '203.0.113.7';
    // The tries left: a peek answers what remains after taking one.
    const left = async () => (await l.perClientTotal.peek(client)).remaining + 1;
    await (await l.check('ada@example.com', client)).succeeded();
    assert.equal(await left(), 4, 'a success is given back');
    await l.check('ada@example.com', client);
    await l.check('ada@example.com', client);
    assert.equal(await left(), 2);
    const byPair = await l.check('ada@example.com', client);
    assert.equal(byPair.limitedBy, 'client');
    assert.equal(await left(), 2, 'refused by the (account, client) bucket: not counted');
    await l.check('grace@example.com', '198.51.100.1');
    await l.check('grace@example.com', '198.51.100.2');
    await l.check('grace@example.com', '198.51.100.3');
    const byAccount = await l.check('grace@example.com', client);
    assert.equal(byAccount.limitedBy, 'account');
    assert.equal(await left(), 2, 'refused by the account bucket: not counted');
    assert.equal((await l.check('hopper@example.com', client)).allowed, true);
    assert.equal((await l.check('turing@example.com', client)).allowed, true);
    const byClient = await l.check('lovelace@example.com', client);
    assert.equal(byClient.allowed, false);
    assert.equal(byClient.limitedBy, 'clientTotal');
    assert.ok(byClient.retryAfterMs > 90_000);
  });

  test('variants a collation equates (invisible characters, accents, strokes, digits) share buckets', async () => {
    // A lookup through a case- and accent-insensitive collation (MySQL's default, ICU's) finds
    // one account for all of these: each must not bring fresh tries at it.
    const l = limits({ perAccount: { capacity: 3, refillPerSecond: 0.01 } });
    const variants = [
      'ada@example.com',
      'ada\u200b@example.com',
      'a\u00adda@example.com',
      'ada\u2060@example.com',
      'ad\u034fa@example.com',
      'ada\u200c@example.com',
      'ada\u200d@example.com',
      'ADA@EXAMPLE.COM',
      'adá@example.com',
      'ada\u0301@example.com',
      'ađa@example.com',
      'ada@exampłe.com',
      'ada@example.cøm',
      'ａｄａ@example.com',
    ];
    const allowed = [];
    for (const [i, v] of variants.entries()) allowed.push((await l.check(v, `198.51.100.${i}`)).allowed);
    assert.deepEqual(allowed, [true, true, true, ...variants.slice(3).map(() => false)]);
    const digits = limits({ perAccount: { capacity: 1, refillPerSecond: 0.01 } });
    assert.equal((await digits.check('user123', '198.51.100.1')).allowed, true);
    for (const v of ['user١٢٣', 'user۱۲۳', 'user१२३', 'USER１２３', 'uſer123'])
      assert.equal((await digits.check(v, '198.51.100.2')).allowed, false, v);
    const expansions = limits({ perAccount: { capacity: 1, refillPerSecond: 0.01 } });
    assert.equal((await expansions.check('strasse', '198.51.100.1')).allowed, true);
    assert.equal((await expansions.check('straße', '198.51.100.2')).allowed, false);
  });
});

describe('the identifier bucket key', () => {
  // Internal: the key loginLimits and the form limits use for an identifier.
  const { identifierKey } = createRequire(import.meta.url)('../../dist/cjs/ratelimit/keys.js');
  const collator = new Intl.Collator('und', { sensitivity: 'base' });

  test('is no finer than the root collation at base strength, for every code point', () => {
    // An application looks up normalizeIdentifier(input) with its collation. For each code
    // point c: when the collation finds normalizeIdentifier('x' + c + 'y') equal to 'xy' or to
    // 'x' + an ASCII letter or digit + 'y', the key must be that too. Asked of the collator
    // directly, one string at a time (the key's own table is built by sorting code points).
    const targets = ['', ...'abcdefghijklmnopqrstuvwxyz0123456789'].map((c) => `x${c}y`);
    targets.sort(collator.compare);
    const skipped = /[\p{Cn}\p{Co}\p{Cs}\p{White_Space}]/u;
    const failures = [];
    let equated = 0;
    let ignored = 0;
    for (let cp = 0x80; cp <= 0x1ffff; cp++) {
      const ch = String.fromCodePoint(cp);
      if (skipped.test(ch)) continue;
      const input = `x${ch}y`;
      const normalized = normalizeIdentifier(input);
      let expected;
      let lo = 0;
      let hi = targets.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const c = collator.compare(normalized, targets[mid]);
        if (c === 0) {
          expected = targets[mid];
          break;
        }
        if (c < 0) hi = mid - 1;
        else lo = mid + 1;
      }
      if (expected === undefined) continue;
      if (expected === 'xy') ignored++;
      else equated++;
      const got = identifierKey(input);
      if (got !== expected) failures.push(`U+${cp.toString(16)} ${JSON.stringify(got)} (want ${expected})`);
    }
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} code points`);
    assert.ok(equated > 1000 && ignored > 1000, `${equated} equated, ${ignored} ignored`);
  });

  test('printable ASCII keys as itself lower-cased, on the fast path and off it', () => {
    for (let cp = 0x21; cp < 0x7f; cp++) {
      const ch = String.fromCharCode(cp);
      assert.equal(identifierKey(`x${ch}y`), `x${ch}y`.toLowerCase(), ch);
      // 'é' sends the key through the collation table: the same answer.
      assert.equal(identifierKey(`x${ch}yé`), `x${ch}ye`.toLowerCase(), ch);
    }
  });
});

/** The (account, client) key, as loginLimits builds it, to look into the bucket in tests. */
function pairOf(_l, account, client) {
  return `${client.length}:${client}|${account}`;
}
