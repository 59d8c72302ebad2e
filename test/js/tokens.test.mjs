// Single-use tokens: the id.secret form, what the store keeps, and every way a token is refused
// (replayed, expired, another user's, another purpose's, tampered, wrong length), with the memory
// and the file store; concurrent consumption in one process (the file store's cross-process
// cases are in token-file-store.test.mjs).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  createFileTokenStore,
  createMemoryTokenStore,
  createSingleUseTokens,
  isStartGuardError,
} from 'start-guard';

const dir = mkdtempSync(join(tmpdir(), 'start-guard-tokens-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => join(dir, `store-${++files}`, 'tokens');

/** A controllable clock and a place to collect reject reasons. */
function setup(makeStore) {
  let now = Date.now();
  const clock = { nowMs: () => now, advance: (ms) => (now += ms) };
  const store = makeStore(clock.nowMs);
  const tokens = createSingleUseTokens({ store, nowMs: clock.nowMs });
  const reasons = [];
  const opts = (purpose, extra = {}) => ({ purpose, onReject: (r) => reasons.push(r), ...extra });
  return { store, tokens, clock, reasons, opts };
}

const stores = {
  memory: (nowMs) => createMemoryTokenStore({ nowMs }),
  file: (nowMs) => createFileTokenStore({ path: freshFile(), nowMs }),
};

/** Flips one base64url character at `i` to another that still decodes canonically. */
function flip(token, i) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const c = token[i];
  // The last character of each half carries padding bits: change only the high bits there.
  const last = i === 21 || i === 65;
  const step = last ? (i === 21 ? 16 : 4) : 1;
  const next = alphabet[(alphabet.indexOf(c) + step) % 64];
  return token.slice(0, i) + next + token.slice(i + 1);
}

for (const [kind, make] of Object.entries(stores)) {
  describe(`${kind} store`, () => {
    test('a token is id.secret (22 + 1 + 43 base64url characters) and redeems once', async () => {
      const { tokens, reasons, opts } = setup(make);
      const { token, expiresAt } = await tokens.issue('user-1', { purpose: 'reset' });
      assert.match(token, /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
      assert.ok(Math.abs(expiresAt - (Date.now() / 1000 + 1800)) < 2, 'reset tokens last 30 minutes');
      assert.deepEqual(await tokens.check(token, opts('reset')), {
        userId: 'user-1',
        purpose: 'reset',
        expiresAt,
      });
      // check() consumes nothing.
      assert.deepEqual(await tokens.consume(token, opts('reset')), {
        userId: 'user-1',
        purpose: 'reset',
        expiresAt,
      });
      // Replayed: the record is gone.
      assert.equal(await tokens.consume(token, opts('reset')), null);
      assert.equal(await tokens.check(token, opts('reset')), null);
      assert.deepEqual(reasons, ['unknown', 'unknown']);
    });

    test('verification tokens last 24 hours and carry their bound data back', async () => {
      const { tokens, opts } = setup(make);
      const { token, expiresAt } = await tokens.issue('user-2', {
        purpose: 'verify',
        data: 'ada@example.com',
      });
      assert.ok(Math.abs(expiresAt - (Date.now() / 1000 + 86400)) < 2);
      assert.deepEqual(await tokens.consume(token, opts('verify')), {
        userId: 'user-2',
        purpose: 'verify',
        expiresAt,
        data: 'ada@example.com',
      });
    });

    test('expired: refused from its expiry second on, and removed', async () => {
      const { store, tokens, clock, reasons, opts } = setup(make);
      const { token, expiresAt } = await tokens.issue('u', { purpose: 'reset', ttlSeconds: 60 });
      const id = token.slice(0, 22);
      clock.advance(expiresAt * 1000 - clock.nowMs() - 1); // one millisecond before
      assert.ok(await tokens.check(token, opts('reset')));
      clock.advance(1);
      assert.equal(await tokens.check(token, opts('reset')), null);
      assert.ok(await store.find(id), 'check() removes nothing');
      assert.equal(await tokens.consume(token, opts('reset')), null);
      assert.equal(await store.find(id), null, 'consuming an expired token tidies it away');
      assert.deepEqual(reasons, ['expired', 'expired']);
    });

    test('another purpose or another user: refused, and the token stays good for its own', async () => {
      const { tokens, reasons, opts } = setup(make);
      const { token } = await tokens.issue('alice', { purpose: 'verify' });
      assert.equal(await tokens.consume(token, opts('reset')), null);
      assert.equal(await tokens.consume(token, opts('verify', { userId: 'mallory' })), null);
      assert.deepEqual(reasons, ['wrong_purpose', 'wrong_user']);
      assert.equal((await tokens.consume(token, opts('verify', { userId: 'alice' })))?.userId, 'alice');
    });

    test('tampered: every character of the id or the secret changed is refused, and the token survives', async () => {
      const { tokens, reasons, opts } = setup(make);
      const { token } = await tokens.issue('u', { purpose: 'reset' });
      for (let i = 0; i < token.length; i++) {
        if (i === 22) continue;
        const bad = flip(token, i);
        assert.notEqual(bad, token);
        assert.equal(await tokens.consume(bad, opts('reset')), null, `position ${i}`);
      }
      // Changing the id finds no record; changing the secret finds the record and fails its check.
      assert.deepEqual(reasons.slice(0, 22), Array(22).fill('unknown'));
      assert.deepEqual(reasons.slice(22), Array(43).fill('mismatch'));
      // A tokens's own secret under another issued id: the secret is bound to its record.
      const other = await tokens.issue('u', { purpose: 'reset' });
      const swapped = other.token.slice(0, 23) + token.slice(23);
      assert.equal(await tokens.consume(swapped, opts('reset')), null);
      assert.equal(reasons.at(-1), 'mismatch');
      assert.ok(await tokens.consume(token, opts('reset')), 'none of that consumed the real token');
      assert.ok(await tokens.consume(other.token, opts('reset')));
    });

    test('wrong length, wrong alphabet, non-canonical spelling, wrong type: null, never a throw', async () => {
      const { tokens, reasons, opts } = setup(make);
      const { token } = await tokens.issue('u', { purpose: 'reset' });
      const last = token.at(-1);
      // The secret's last character carries 2 padding bits: a non-zero one spells the same bytes.
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const twin = token.slice(0, -1) + alphabet[alphabet.indexOf(last) + 1];
      assert.deepEqual(Buffer.from(twin.slice(23), 'base64url'), Buffer.from(token.slice(23), 'base64url'));
      const bad = [
        token.slice(0, -1),
        `${token}A`,
        `${token}=`,
        token.replace('.', '-'),
        token.replace('.', ''),
        `${token.slice(0, 22)}.${token.slice(23, 65)}`,
        `${token.slice(0, 21)}.${token.slice(22)}`,
        `${token.slice(0, 30)}+${token.slice(31)}`,
        `${token.slice(0, 30)}/${token.slice(31)}`,
        ` ${token.slice(1)}`,
        twin,
        '',
        'x'.repeat(100_000),
        null,
        undefined,
        42,
        { token },
        [token],
      ];
      for (const value of bad)
        assert.equal(await tokens.consume(value, opts('reset')), null, String(value).slice(0, 80));
      assert.deepEqual(reasons, Array(bad.length).fill('malformed'));
      assert.ok(await tokens.consume(token, opts('reset')));
    });

    test('concurrent consumption in one process: exactly one of fifty wins', async () => {
      const { tokens, reasons, opts } = setup(make);
      for (let round = 0; round < 5; round++) {
        const { token } = await tokens.issue(`u${round}`, { purpose: 'reset' });
        const results = await Promise.all(
          Array.from({ length: 50 }, () => tokens.consume(token, opts('reset'))),
        );
        assert.equal(results.filter((r) => r !== null).length, 1, `round ${round}`);
      }
      // The losers either found the record gone or lost the delete itself.
      assert.ok(
        reasons.every((r) => r === 'unknown' || r === 'used'),
        reasons.join(),
      );
    });

    test('revokeAll voids the outstanding tokens of a user (one purpose, or all)', async () => {
      const { tokens, opts } = setup(make);
      const r1 = await tokens.issue('u', { purpose: 'reset' });
      const r2 = await tokens.issue('u', { purpose: 'reset' });
      const v = await tokens.issue('u', { purpose: 'verify' });
      const other = await tokens.issue('someone-else', { purpose: 'reset' });
      await tokens.revokeAll('u', 'reset');
      assert.equal(await tokens.check(r1.token, opts('reset')), null);
      assert.equal(await tokens.check(r2.token, opts('reset')), null);
      assert.ok(await tokens.check(v.token, opts('verify')));
      assert.ok(await tokens.check(other.token, opts('reset')));
      await tokens.revokeAll('u');
      assert.equal(await tokens.check(v.token, opts('verify')), null);
    });

    test('the store never holds the secret: an edited record no longer verifies', async () => {
      const { store, tokens, reasons, opts } = setup(make);
      const { token, expiresAt } = await tokens.issue('victim', { purpose: 'reset', ttlSeconds: 60 });
      const id = token.slice(0, 22);
      const secret = token.slice(23);
      const record = await store.find(id);
      assert.deepEqual(Object.keys(record).sort(), ['expiresAt', 'id', 'purpose', 'userId', 'verifier']);
      assert.equal(record.verifier.length, 43);
      assert.notEqual(record.verifier, secret);
      // Someone who can write the store moves the token to another user, or gives it a longer life.
      for (const edit of [{ userId: 'attacker' }, { expiresAt: expiresAt + 3600 }, { purpose: 'verify' }]) {
        await store.delete(id);
        await store.insert({ ...record, ...edit });
        const purpose = edit.purpose ?? 'reset';
        assert.equal(await tokens.consume(token, opts(purpose)), null, JSON.stringify(edit));
        assert.equal(reasons.at(-1), 'mismatch');
      }
    });
  });
}

describe('file store specifics', () => {
  test('only the verifier reaches the file: neither the token nor its secret', async () => {
    const file = freshFile();
    const store = createFileTokenStore({ path: file });
    const tokens = createSingleUseTokens({ store });
    const { token } = await tokens.issue('u', { purpose: 'verify', data: 'ada@example.com' });
    const text = readFileSync(file, 'utf8'); // written before issue() resolved
    assert.match(text, new RegExp(token.slice(0, 22)));
    assert.ok(!text.includes(token.slice(23)), 'the secret is not in the file');
    const secretB64 = Buffer.from(token.slice(23), 'base64url').toString('base64');
    const secretHex = Buffer.from(token.slice(23), 'base64url').toString('hex');
    assert.ok(!text.includes(secretB64) && !text.includes(secretHex));
    await store.close();
  });
});

describe('arguments', () => {
  test('programmer errors throw naming the argument; the clock and the store are checked', async () => {
    assert.throws(() => createSingleUseTokens({}), {
      code: 'ERR_INVALID_ARG_TYPE',
      message: /"options.store"/,
    });
    assert.throws(() => createSingleUseTokens({ store: { insert() {} } }), { message: /"options.store"/ });
    assert.throws(
      () => createSingleUseTokens({ store: createMemoryTokenStore(), ttlSeconds: { reset: 0 } }),
      {
        code: 'ERR_OUT_OF_RANGE',
        message: /"options.ttlSeconds.reset"/,
      },
    );
    const tokens = createSingleUseTokens({ store: createMemoryTokenStore() });
    await assert.rejects(tokens.issue('', { purpose: 'reset' }), {
      code: 'ERR_INVALID_ARG_TYPE',
      message: /"userId"/,
    });
    await assert.rejects(tokens.issue('u', { purpose: 'has space' }), {
      code: 'ERR_OUT_OF_RANGE',
      message: /"options.purpose"/,
    });
    await assert.rejects(tokens.issue('u', { purpose: 'invite' }), {
      code: 'ERR_OUT_OF_RANGE',
      message: /"options.ttlSeconds".*invite/,
    });
    await assert.rejects(tokens.issue('u', { purpose: 'reset', ttlSeconds: 31 * 86400 }), {
      code: 'ERR_OUT_OF_RANGE',
    });
    await assert.rejects(tokens.issue('u', { purpose: 'reset', ttlSeconds: 1.5 }), {
      code: 'ERR_OUT_OF_RANGE',
    });
    await assert.rejects(tokens.issue('u\uD800', { purpose: 'reset' }), {
      code: 'ERR_OUT_OF_RANGE',
      message: /surrogate/,
    });
    await assert.rejects(tokens.consume('x', {}), {
      code: 'ERR_INVALID_ARG_TYPE',
      message: /"options.purpose"/,
    });
    await assert.rejects(tokens.consume('x'), { code: 'ERR_INVALID_ARG_TYPE', message: /"options"/ });
    // An app-defined purpose with its own lifetime.
    const invite = await tokens.issue('u', { purpose: 'invite', ttlSeconds: 7 * 86400 });
    assert.ok(await tokens.consume(invite.token, { purpose: 'invite' }));
  });

  test("an application's store handing back damaged records: refused as a mismatch or unknown, never a throw", async () => {
    const inner = createMemoryTokenStore();
    let damage = (r) => r;
    const store = { ...inner, find: async (id) => damage(await inner.find(id)) };
    const tokens = createSingleUseTokens({ store });
    const { token } = await tokens.issue('u', { purpose: 'reset' });
    const reasons = [];
    const opts = { purpose: 'reset', onReject: (r) => reasons.push(r) };
    const damaged = [
      (r) => ({ ...r, verifier: 'not base64url!'.padEnd(43, '*') }),
      (r) => ({ ...r, verifier: r.verifier.slice(0, 42) }),
      (r) => ({ ...r, verifier: `${r.verifier}AAAA` }),
      (r) => ({ ...r, verifier: undefined }),
      (r) => ({ ...r, expiresAt: 'soon' }),
      (r) => ({ ...r, id: 'another-id-entirely-xx' }),
      () => 'a string',
    ];
    for (const d of damaged) {
      damage = d;
      assert.equal(await tokens.consume(token, opts), null);
    }
    assert.deepEqual(reasons, [
      'mismatch',
      'mismatch',
      'mismatch',
      'unknown',
      'unknown',
      'unknown',
      'unknown',
    ]);
    damage = (r) => r;
    assert.ok(await tokens.consume(token, opts));
  });

  test('a closed store refuses, never answers "no such token" silently', async () => {
    for (const store of [createMemoryTokenStore(), createFileTokenStore({ path: freshFile() })]) {
      const tokens = createSingleUseTokens({ store });
      const { token } = await tokens.issue('u', { purpose: 'reset' });
      await store.close();
      const unavailable = (e) => isStartGuardError(e, 'ERR_STORE_UNAVAILABLE') && e.status === 503;
      await assert.rejects(tokens.consume(token, { purpose: 'reset' }), unavailable);
      await assert.rejects(tokens.issue('u', { purpose: 'reset' }), unavailable);
    }
  });
});

describe('browser build', () => {
  test('tokens, stores and flows are inert until used, then ERR_SERVER_ONLY; no server code in the bundle', async () => {
    const root = new URL('../../', import.meta.url);
    const bundle = new URL('dist/browser/index.mjs', root);
    const code = readFileSync(bundle, 'utf8');
    for (const forbidden of ['node:fs', 'fdatasync', 'flockExclusive', 'catchUp'])
      assert.ok(!code.includes(forbidden), forbidden);
    const browser = await import(bundle);
    const serverOnly = (e) => browser.isStartGuardError(e, 'ERR_SERVER_ONLY');
    const store = browser.createFileTokenStore({ path: '/nonexistent/tokens' });
    const tokens = browser.createSingleUseTokens({ store });
    await assert.rejects(tokens.issue('u', { purpose: 'reset' }), serverOnly);
    await assert.rejects(tokens.consume('x', { purpose: 'reset' }), serverOnly);
    await assert.rejects(store.find('x'), serverOnly);
    const limits = { check: async () => ({ allowed: true, retryAfterMs: 0 }) };
    const reset = browser.createPasswordReset({
      tokens,
      url: 'https://app.example.com/reset',
      findUser: async () => null,
      send: async () => {},
      hasher: { hash: async () => '' },
      savePassword: async () => {},
      revocation: browser.createMemoryRevocationStore(),
      limits,
    });
    await assert.rejects(reset.requestReset('a@b.c', { client: 'k' }), serverOnly);
    await assert.rejects(reset.completeReset('x', 'password'), serverOnly);
    const verification = browser.createEmailVerification({
      tokens,
      url: 'https://app.example.com/v',
      send: async () => {},
      limits,
    });
    await assert.rejects(verification.completeVerification('x'), serverOnly);
  });
});

/** An application's store over a Map, as a database table would be: whoever can write it edits rows. */
function tableStore() {
  const rows = new Map();
  return {
    rows,
    insert: async (r) => void rows.set(r.id, { ...r }),
    find: async (id) => (rows.has(id) ? { ...rows.get(id) } : null),
    delete: async (id) => rows.delete(id),
    deleteForUser: async (userId) => {
      for (const [id, r] of rows) if (r.userId === userId) rows.delete(id);
    },
  };
}

/**
 * The verifier an attacker recomputes for an edited row: the documented binding, hashed with
 * Python's hashlib (an independent implementation), unkeyed (keyed with the token's secret) or,
 * given `serverSecret`, keyed with the server key derived as the README says.
 */
function pythonVerifier(row, secret, serverSecret) {
  const field = (s) => `${s.length}:${s}`;
  const binding = [
    'start-guard/token/v1',
    field(row.id),
    field(row.userId),
    field(row.purpose),
    String(row.expiresAt),
    row.data === undefined ? '-' : field(row.data),
  ].join('\n');
  const script = `
import sys, base64, hashlib
secret = base64.urlsafe_b64decode(sys.argv[1] + '=')
binding = sys.argv[2].encode()
if len(sys.argv) > 3:
    key = hashlib.blake2b(sys.argv[3].encode(), digest_size=32, key=b'start-guard/token-key/v1').digest()
    d = hashlib.blake2b(secret + binding, digest_size=32, key=key).digest()
else:
    d = hashlib.blake2b(binding, digest_size=32, key=secret).digest()
print(base64.urlsafe_b64encode(d).decode().rstrip('='))`;
  const args = ['-c', script, secret, binding, ...(serverSecret === undefined ? [] : [serverSecret])];
  return execFileSync('python3', args).toString().trim();
}

describe('server secret', () => {
  const SERVER_SECRET = 'a server secret of at least thirty-two bytes, kept outside the store';

  test('the keyed verifier is the documented construction (checked with Python hashlib)', async () => {
    const store = tableStore();
    const tokens = createSingleUseTokens({ store, secret: SERVER_SECRET });
    const { token } = await tokens.issue('u-ada', { purpose: 'verify', data: 'ada@example.com' });
    const [id, secret] = token.split('.');
    const row = store.rows.get(id);
    assert.equal(pythonVerifier(row, secret, SERVER_SECRET), row.verifier);
    assert.notEqual(pythonVerifier(row, secret), row.verifier, 'not the unkeyed form');
  });

  test('write access to the store mints no token: an edited row with a recomputed verifier is refused', async () => {
    for (const secret of [undefined, SERVER_SECRET]) {
      const store = tableStore();
      const tokens = createSingleUseTokens({ store, secret });
      // The attacker's own reset link: they know its secret.
      const { token } = await tokens.issue('u-mallory', { purpose: 'reset' });
      const [id, tokenSecret] = token.split('.');
      // UPDATE tokens SET user_id = 'u-admin', expires_at = +29 days, verifier = ? WHERE id = ?
      const row = store.rows.get(id);
      row.userId = 'u-admin';
      row.expiresAt += 29 * 86400;
      row.verifier = pythonVerifier(row, tokenSecret);
      const reasons = [];
      const got = await tokens.consume(token, { purpose: 'reset', onReject: (r) => reasons.push(r) });
      if (secret === undefined) {
        // What the README says the unkeyed mode does not protect against.
        assert.equal(got?.userId, 'u-admin');
      } else {
        assert.equal(got, null);
        assert.deepEqual(reasons, ['mismatch']);
      }
    }
  });

  test('rotation: the first secret issues, every listed one verifies; a token of another mode is refused', async () => {
    const store = createMemoryTokenStore();
    const old = createSingleUseTokens({ store, secret: SERVER_SECRET });
    const { token } = await old.issue('u', { purpose: 'reset' });
    const next = 'the next server secret, also thirty-two bytes or more';
    const rotated = createSingleUseTokens({ store, secret: [next, new TextEncoder().encode(SERVER_SECRET)] });
    assert.ok(await rotated.check(token, { purpose: 'reset' }), 'the old secret as bytes is the same key');
    const fresh = await rotated.issue('u', { purpose: 'reset' });
    assert.equal(await old.check(fresh.token, { purpose: 'reset' }), null, 'issued under the new secret');
    const only = createSingleUseTokens({ store, secret: next });
    assert.equal(await only.check(token, { purpose: 'reset' }), null, 'the old secret dropped');
    assert.ok(await only.check(fresh.token, { purpose: 'reset' }));
    const unkeyed = createSingleUseTokens({ store });
    const plain = await unkeyed.issue('u', { purpose: 'reset' });
    assert.equal(
      await only.check(plain.token, { purpose: 'reset' }),
      null,
      'turning the secret on voids unkeyed links',
    );
    assert.equal(await unkeyed.check(fresh.token, { purpose: 'reset' }), null);
  });

  test('a secret under 32 bytes is ERR_SECRET_TOO_SHORT; a wrong type names the option', () => {
    const store = createMemoryTokenStore();
    assert.throws(
      () => createSingleUseTokens({ store, secret: 'x'.repeat(31) }),
      (e) => isStartGuardError(e, 'ERR_SECRET_TOO_SHORT'),
    );
    assert.throws(
      () => createSingleUseTokens({ store, secret: new Uint8Array(31) }),
      (e) => isStartGuardError(e, 'ERR_SECRET_TOO_SHORT'),
    );
    // 16 characters of 2-byte UTF-8 are 32 bytes: bytes count, not characters.
    assert.doesNotThrow(() => createSingleUseTokens({ store, secret: 'é'.repeat(16) }));
    assert.throws(() => createSingleUseTokens({ store, secret: 42 }), {
      code: 'ERR_INVALID_ARG_TYPE',
      message: /"options.secret"/,
    });
    assert.throws(() => createSingleUseTokens({ store, secret: [] }), { message: /"options.secret"/ });
    assert.throws(
      () => createSingleUseTokens({ store, secret: [SERVER_SECRET, 'short'] }),
      (e) => isStartGuardError(e, 'ERR_SECRET_TOO_SHORT') && /options\.secret\[1\]/.test(e.message),
    );
  });

  test('a string secret with a lone surrogate is refused: UTF-8 would make it U+FFFD, one key for many', async () => {
    const store = createMemoryTokenStore();
    // Each of these encodes to the bytes of '\uFFFD'.repeat(11), a public constant.
    for (const bad of [
      '\uD800'.repeat(11),
      '\uDBFF'.repeat(11),
      'x'.repeat(31) + '\uDC00',
      ['k'.repeat(32), '\uD800'.repeat(11)],
    ]) {
      assert.throws(
        () => createSingleUseTokens({ store, secret: bad }),
        (e) =>
          isStartGuardError(e, 'ERR_INVALID_OPTION') &&
          /options\.secret/.test(e.message) &&
          /well-formed/.test(e.message) &&
          !e.message.includes('\uD800'),
      );
    }
    // A surrogate pair is a well-formed code point: accepted, and a key of its own.
    const pair = createSingleUseTokens({ store, secret: '\u{1F511}'.repeat(8) });
    const replacement = createSingleUseTokens({ store, secret: '\uFFFD'.repeat(11) });
    const t = await pair.issue('u', { purpose: 'reset' });
    assert.equal(await replacement.check(t.token, { purpose: 'reset' }), null);
    assert.ok(await pair.check(t.token, { purpose: 'reset' }));
  });
});

describe('records the store hands back', () => {
  test('a lone surrogate edited into a stored user or data is refused (it would hash as U+FFFD)', async () => {
    const store = tableStore();
    const tokens = createSingleUseTokens({ store });
    const reasons = [];
    const opts = { purpose: 'verify', onReject: (r) => reasons.push(r) };
    const a = await tokens.issue('\uFFFDadmin', { purpose: 'verify' });
    store.rows.get(a.token.slice(0, 22)).userId = '\uD800admin'; // same UTF-16 length
    assert.equal(await tokens.consume(a.token, opts), null);
    const b = await tokens.issue('u', { purpose: 'verify', data: 'x\uFFFD@example.com' });
    store.rows.get(b.token.slice(0, 22)).data = 'x\uDC00@example.com';
    assert.equal(await tokens.consume(b.token, opts), null);
    assert.deepEqual(reasons, ['unknown', 'unknown']);
    // The unedited records still redeem: U+FFFD itself is a well-formed character.
    store.rows.get(a.token.slice(0, 22)).userId = '\uFFFDadmin';
    assert.equal((await tokens.consume(a.token, opts))?.userId, '\uFFFDadmin');
  });
});

describe('lifetimes of the built-in purposes', () => {
  test('a reset link lives at most a day, a verification link at most a week; milliseconds are named', async () => {
    const store = createMemoryTokenStore();
    assert.throws(
      () => createSingleUseTokens({ store, ttlSeconds: { reset: 30 * 60 * 1000 } }),
      (e) =>
        e.code === 'ERR_OUT_OF_RANGE' &&
        /"options.ttlSeconds.reset"/.test(e.message) &&
        /at most|from 1 to 86400/.test(e.message) &&
        /20\.8 days: seconds, not milliseconds/.test(e.message),
    );
    assert.throws(() => createSingleUseTokens({ store, ttlSeconds: { verify: 7 * 86400 + 1 } }), {
      code: 'ERR_OUT_OF_RANGE',
      message: /604800 \(7 days\) for a 'verify' link/,
    });
    const tokens = createSingleUseTokens({ store, ttlSeconds: { reset: 86400, verify: 7 * 86400 } });
    await assert.rejects(tokens.issue('u', { purpose: 'reset', ttlSeconds: 86401 }), {
      code: 'ERR_OUT_OF_RANGE',
      message: /"options.ttlSeconds".*86400 \(1 day\) for a 'reset' link/,
    });
    assert.ok(await tokens.issue('u', { purpose: 'reset', ttlSeconds: 86400 }));
    // App-defined purposes keep the general 30-day ceiling.
    assert.ok(await tokens.issue('u', { purpose: 'invite', ttlSeconds: 30 * 86400 }));
  });
});
