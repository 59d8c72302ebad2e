// The password policy layer (createPasswordHasher and the default functions): every option,
// policy refusals, stored values that cannot be checked, PHC interop with argon2 and
// @node-rs/argon2, bcrypt from bcrypt and bcryptjs, Unicode normalization, pepper rotation,
// needsRehash and verifyAndRehash, minVerifyMs, overload events, the browser build, and the whole
// API from two worker_threads at once. Hashes use a small m unless the defaults are the point.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import argon2 from 'argon2';
import * as noders from '@node-rs/argon2';
import bcrypt from 'bcrypt';
import bcryptjs from 'bcryptjs';
import {
  createPasswordHasher,
  hashPassword,
  isStartGuardError,
  needsRehash,
  verifyAndRehash,
  verifyPassword,
} from 'start-guard';

const require = createRequire(import.meta.url);
const engine = require('../../dist/cjs/passwords/engine.js');
const small = { m: 1024, t: 1 };
const fast = (options = {}) => createPasswordHasher({ argon2: small, ...options });
const PW = 'correct horse battery staple';
const code = (c) => (e) => isStartGuardError(e, c);
const phc = (h) => engine.argon2Parse(h);

describe('defaults', () => {
  test('hashPassword: Argon2id, OWASP m=19456 t=2 p=1, 16-byte salt, 32-byte tag, m,t,p order', async () => {
    const h = await hashPassword(PW);
    assert.match(h, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.equal(await verifyPassword(h, PW), true);
    assert.equal(await verifyPassword(h, PW + '!'), false);
    assert.equal(needsRehash(h), false);
    assert.deepEqual(await verifyAndRehash(h, PW), { valid: true });
    assert.deepEqual(await verifyAndRehash(h, 'nope nope'), { valid: false });
    // The peers read it.
    assert.equal(await argon2.verify(h, PW), true);
    assert.equal(await noders.verify(h, PW), true);
    assert.notEqual(await hashPassword(PW), h, 'a fresh salt each time');
  });

  test('policy refusals: empty, too short (code points, after NFKC), too long (bytes, never truncated)', async () => {
    await assert.rejects(hashPassword(''), code('ERR_PASSWORD_EMPTY'));
    await assert.rejects(hashPassword('1234567'), code('ERR_PASSWORD_TOO_SHORT'));
    // Seven emoji are 14 UTF-16 units but 7 characters.
    await assert.rejects(hashPassword('😀'.repeat(7)), code('ERR_PASSWORD_TOO_SHORT'));
    await assert.rejects(hashPassword('a'.repeat(1025)), code('ERR_PASSWORD_TOO_LONG'));
    await assert.rejects(hashPassword('é'.repeat(513)), code('ERR_PASSWORD_TOO_LONG')); // 1026 bytes
    // NFKC can grow a string: U+FDFA is 3 bytes, 33 once normalized.
    await assert.rejects(hashPassword('\uFDFA'.repeat(40)), code('ERR_PASSWORD_TOO_LONG'));
    assert.match(await hashPassword('a'.repeat(1024)), /^\$argon2id\$/);
    // verify refuses a too-long password the same way (both known and unknown accounts).
    const h = await hashPassword(PW);
    await assert.rejects(verifyPassword(h, 'a'.repeat(1025)), code('ERR_PASSWORD_TOO_LONG'));
    await assert.rejects(verifyPassword(null, 'a'.repeat(1025)), code('ERR_PASSWORD_TOO_LONG'));
    // An empty password never verifies (without allowEmpty), for every account alike.
    assert.equal(await verifyPassword(h, ''), false);
    assert.equal(await verifyPassword(null, ''), false);
    // The minimum is for new passwords only: verify takes a short one.
    assert.equal(await verifyPassword(h, 'short'), false);
  });

  test('wrong argument types are TypeErrors; a stored hash is never thrown on', async () => {
    await assert.rejects(hashPassword(42), { name: 'TypeError', message: /"password"/ });
    await assert.rejects(verifyPassword('$argon2id$', undefined), { name: 'TypeError' });
    await assert.rejects(verifyPassword(42, PW), { name: 'TypeError', message: /"stored"/ });
    assert.equal(needsRehash(42), true);
  });
});

describe('stored values that cannot be checked verify as false (after the dummy)', () => {
  test('malformed, unknown scheme, over the ceilings, a bcrypt cost over maxBcryptCost', async () => {
    const hasher = fast({ maxBcryptCost: 6 });
    const good = await hasher.hash(PW);
    const stored = [
      '',
      '!',
      'plaintext',
      'x'.repeat(100_000),
      good.slice(0, -2),
      good.replace('$v=19', '$v=18'),
      good.replace('m=1024', 'm=01024'),
      good + '=',
      '$argon2id$v=19$m=4294967295,t=4294967295,p=16777215$c29tZXNhbHRzb21lc2FsdA$' + 'A'.repeat(43),
      '$argon2id$v=19$m=524288,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$' + 'A'.repeat(43), // over 256 MiB
      '$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E',
      '$pbkdf2-sha256$29000$N2bMGcM4x1hLKeM8J8S4Nw$rd8n6fKqA4KPa9OnrGbmO8GYHkHIkeNC7qE3fD7hlJA',
      '$1$saltsalt$qjXMvOEKQ3LeUvZdZpmvK1',
      await bcrypt.hash(PW, 7), // cost 7 > maxBcryptCost 6
    ];
    for (const s of stored) {
      assert.equal(await hasher.verify(s, PW), false, s.slice(0, 60));
      assert.equal(hasher.needsRehash(s), true, s.slice(0, 60));
      assert.deepEqual(await hasher.verifyAndRehash(s, PW), { valid: false });
    }
    assert.equal(await hasher.verify(await bcrypt.hash(PW, 6), PW), true);
  });

  test("a maxBcryptCost over the engine's default ceiling (15) reaches the engine", () => {
    // bcryptVerify hashes no stored cost over 15 unless told; a policy that allows $2b$16$ must
    // say so. A cost-16 verify takes seconds, so a child process watches the pool start it, then
    // exits (process.exit does not wait for the pool).
    const stored = '$2b$16$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui';
    const script = `
      const { createPasswordHasher } = require(${JSON.stringify(require.resolve('../../dist/cjs/index.js'))});
      const engine = require(${JSON.stringify(require.resolve('../../dist/cjs/passwords/engine.js'))});
      const hasher = createPasswordHasher({ argon2: { m: 1024, t: 1 }, maxBcryptCost: 16 });
      let settled = false;
      hasher.verify(${JSON.stringify(stored)}, 'pw').then(() => (settled = true));
      const poll = () => {
        if (engine.hashPoolStats().running > 0) return console.log('hashing'), process.exit(0);
        if (settled) return console.log('answered without hashing'), process.exit(0);
        setImmediate(poll);
      };
      poll();`;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30000 });
    assert.equal(out.trim(), 'hashing');
  });

  test('default ceilings: 64 MiB, 16 passes, 8 lanes and m x t at most 64 MiB x 4; raised to the policy', async () => {
    // A string at the old defaults (256 MiB, 32 passes, 16 lanes) held a pool thread 6.6 s.
    const events = [];
    const hasher = fast({ onEvent: (e) => events.push([e.type, e.reason]) });
    const enc = (s) => new TextEncoder().encode(s);
    const salt = 'c2FsdHNhbHRzYWx0c2FsdA';
    const tag = 'dGFndGFndGFndGFndGFndGFndGFndGFndGFndGFndGE';
    for (const params of [
      'm=262144,t=32,p=16',
      'm=65537,t=1,p=1',
      'm=8192,t=17,p=1',
      'm=8192,t=1,p=9',
      'm=65536,t=5,p=1',
    ]) {
      const evil = `$argon2id$v=19$${params}$${salt}$${tag}`;
      const t0 = performance.now();
      assert.equal(await hasher.verify(evil, PW), false, params);
      assert.ok(performance.now() - t0 < 2000, params);
      assert.equal(hasher.needsRehash(evil), true);
    }
    assert.deepEqual(events, [['hash.unusable', 'ceilings']], 'reported, at most once per 10 s');
    // What real libraries write by default stays within them: node-argon2 (64 MiB, t=3, p=4),
    // PHP (64 MiB, t=4, p=1), OWASP's m=7168,t=5, and m x t just over the cost ceiling is refused.
    const ok = [
      await argon2.hash(PW),
      await engine.argon2Hash(enc(PW), { variant: 'argon2id', memoryKiB: 65536, passes: 4, parallelism: 1 }),
      await engine.argon2Hash(enc(PW), { variant: 'argon2id', memoryKiB: 7168, passes: 5, parallelism: 1 }),
    ];
    for (const s of ok) assert.equal(await hasher.verify(s, PW), true, s);
    const dear = await engine.argon2Hash(enc(PW), {
      variant: 'argon2id',
      memoryKiB: 52429,
      passes: 5,
      parallelism: 1,
    });
    assert.equal(await hasher.verify(dear, PW), false, 'm x t over 64 MiB x 4');
    assert.equal(await fast({ argon2Ceilings: { cost: 52429 * 5 } }).verify(dear, PW), true);
    assert.throws(() => fast({ argon2Ceilings: { cost: 1023 } }), code('ERR_INVALID_OPTION'));
    // A policy dearer than the cost ceiling raises it: its own hashes verify.
    const wide = createPasswordHasher({ argon2: { m: 16384, t: 20 } });
    assert.equal(await wide.verify(await wide.hash(PW), PW), true);
  });

  test('argon2Ceilings: lower ceilings refuse larger stored strings; below the policy is refused', async () => {
    const hasher = fast({ argon2Ceilings: { m: 2048, t: 2, p: 2 } });
    const big = await argon2.hash(PW, { memoryCost: 4096, timeCost: 1, parallelism: 1 });
    assert.equal(await hasher.verify(big, PW), false);
    assert.equal(await fast().verify(big, PW), true);
    const manyPasses = await argon2.hash(PW, { memoryCost: 1024, timeCost: 3, parallelism: 1 });
    assert.equal(await hasher.verify(manyPasses, PW), false);
    assert.throws(() => fast({ argon2Ceilings: { m: 512 } }), code('ERR_INVALID_OPTION'));
    // A policy above the default ceilings raises them: its own hashes always verify.
    const wide = createPasswordHasher({ argon2: { m: 1024, t: 40 } });
    assert.equal(await wide.verify(await wide.hash(PW), PW), true);
  });
});

describe('interop', () => {
  test('every Argon2 string from argon2 and @node-rs/argon2 verifies, and needs a rehash', async () => {
    const hasher = fast();
    const strings = [
      await argon2.hash(PW, { memoryCost: 2048, timeCost: 2, parallelism: 2 }), // m,p,t order
      await argon2.hash(PW, { type: argon2.argon2i, memoryCost: 1024, timeCost: 2, parallelism: 1 }),
      await argon2.hash(PW, {
        type: argon2.argon2d,
        memoryCost: 1024,
        timeCost: 1,
        parallelism: 1,
        version: 0x10,
      }),
      await noders.hash(PW, { memoryCost: 1024, timeCost: 1 }),
      await noders.hash(PW, { algorithm: noders.Algorithm.Argon2i, memoryCost: 1024, timeCost: 1 }),
    ];
    for (const s of strings) {
      assert.equal(await hasher.verify(s, PW), true, s);
      assert.equal(await hasher.verify(s, PW + 'x'), false, s);
      assert.equal(hasher.needsRehash(s), true, s);
      const { valid, rehash } = await hasher.verifyAndRehash(s, PW);
      assert.equal(valid, true);
      assert.equal(hasher.needsRehash(rehash), false);
      assert.equal(await hasher.verify(rehash, PW), true);
      assert.equal(await argon2.verify(rehash, PW), true);
    }
    // Even with the policy's exact parameters, a string made elsewhere is moved to start-guard's own
    // (so its verify costs exactly what the dummy does).
    const same = await noders.hash(PW, { memoryCost: 1024, timeCost: 1, parallelism: 1 });
    assert.equal(hasher.needsRehash(same), true);
  });

  test('bcrypt $2a$/$2b$/$2y$ from bcrypt and bcryptjs verify, and are rehashed to Argon2id', async () => {
    const hasher = fast();
    const strings = [
      await bcrypt.hash(PW, 5),
      bcryptjs.hashSync(PW, 5),
      bcryptjs.hashSync(PW, bcryptjs.genSaltSync(5).replace(/^\$2b\$/, '$2a$')),
      bcryptjs.hashSync(PW, 5).replace(/^\$2b\$/, '$2y$'),
    ];
    for (const s of strings) {
      assert.equal(await hasher.verify(s, PW), true, s);
      assert.equal(await hasher.verify(s, 'wrong password'), false, s);
      assert.equal(hasher.needsRehash(s), true);
      const r = await hasher.verifyAndRehash(s, PW);
      assert.equal(r.valid, true);
      assert.match(r.rehash, /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    }
  });

  test('legacyBcryptTruncate: a long password verifies on its first 72 bytes only when asked, and is never rehashed from a truncated match', async () => {
    const long = 'p'.repeat(70) + 'ßtail'; // ß is two bytes: the 72nd byte cuts nothing in half here
    const h = await bcrypt.hash(long, 4); // bcrypt hashed the first 72 bytes
    assert.equal(await bcrypt.compare('p'.repeat(70) + 'ß', h), true);
    assert.equal(await fast().verify(h, long), false, 'never truncated by default');
    const legacy = fast({ legacyBcryptTruncate: true });
    assert.equal(await legacy.verify(h, long), true);
    assert.equal(await legacy.verify(h, 'q' + long.slice(1)), false);
    // The match relied on truncation: a new hash of the whole typed string would let whoever
    // knows the first 72 bytes (and any tail) lock the owner out. The bcrypt hash stays.
    assert.deepEqual(await legacy.verifyAndRehash(h, long), { valid: true });
    assert.deepEqual(await legacy.verifyAndRehash(h, 'p'.repeat(70) + 'ß' + 'an attacker'), { valid: true });
    assert.equal(legacy.needsRehash(h), true);
    // The same hash and its exact 72 bytes typed: bcrypt cannot tell them from the cut of a
    // longer password, so no rehash either (second review; see the test below).
    assert.deepEqual(await legacy.verifyAndRehash(h, 'p'.repeat(70) + 'ß'), { valid: true });
    // A short password under legacyBcryptTruncate is rehashed as before.
    const short = await legacy.verifyAndRehash(await bcrypt.hash(PW, 4), PW);
    assert.equal(await fast().verify(short.rehash, PW), true);
  });

  test('legacyBcryptTruncate: typing exactly the first 72 bytes of a longer password is never rehashed', async () => {
    // bcrypt-72-exact.cjs: the owner's password is 101 bytes, its bcrypt hash (from a library
    // that truncated) covers the first 72. Whoever types exactly those 72 bytes matches; a
    // rehash of them, once stored, locked the owner out and let that person in.
    const owner = 'a'.repeat(40) + 'B'.repeat(32) + 'secret-tail-only-the-owner-kn';
    const first72 = owner.slice(0, 72);
    assert.equal(Buffer.byteLength(first72), 72);
    const stored = await bcrypt.hash(owner, 4); // node.bcrypt truncates to the first 72 bytes
    const legacy = fast({ legacyBcryptTruncate: true });
    assert.deepEqual(await legacy.verifyAndRehash(stored, first72), { valid: true });
    assert.equal(legacy.needsRehash(stored), true);
    assert.deepEqual(await legacy.verifyAndRehash(stored, owner), { valid: true });
    // A password of exactly 72 bytes hashed with bcrypt is the same case: no rehash (a reset).
    const seventyTwo = await bcrypt.hash(first72, 4);
    assert.deepEqual(await legacy.verifyAndRehash(seventyTwo, first72), { valid: true });
    // One byte shorter is the whole password: rehashed, and the rehash verifies.
    const shorter = first72.slice(0, 71);
    const r = await legacy.verifyAndRehash(await bcrypt.hash(shorter, 4), shorter);
    assert.equal(r.valid, true);
    assert.equal(await legacy.verify(r.rehash, shorter), true);
    // Without legacyBcryptTruncate, a 72-byte password is not in doubt (longer ones never match).
    const plain = await fast().verifyAndRehash(seventyTwo, first72);
    assert.equal(plain.valid, true);
    assert.equal(await fast().verify(plain.rehash, first72), true);
  });

  test('a guess with a NUL byte on a bcrypt account runs the dummy, as a refused long guess does', async () => {
    // bcrypt cannot check a NUL (its C string ends there): answered at once, such a guess told a
    // bcrypt account (0.1 ms) from an unknown one (a hash). The hash runs on the pool, so it is
    // seen there as soon as verify returns its promise.
    const hasher = createPasswordHasher({ argon2: { m: 4096, t: 40 } });
    const stored = await bcrypt.hash(PW, 4);
    const busy = () => engine.hashPoolStats().running + engine.hashPoolStats().queued;
    await new Promise((r) => setTimeout(r, 50)); // nothing else of this file still running
    for (const guess of ['wrong\0guess', '\0', 'x'.repeat(80), 'y'.repeat(70) + '\0' + 'zz']) {
      assert.equal(busy(), 0);
      const pending = hasher.verify(stored, guess);
      assert.equal(busy(), 1, JSON.stringify(guess));
      assert.equal(await pending, false);
    }
    // legacyBcryptTruncate cuts at 72 bytes; a NUL before the cut is still refused.
    const legacy = createPasswordHasher({ argon2: { m: 4096, t: 40 }, legacyBcryptTruncate: true });
    const pending = legacy.verify(stored, 'a\0' + 'b'.repeat(80));
    assert.equal(busy(), 1);
    assert.equal(await pending, false);
  });
});

describe('normalization', () => {
  test("NFKC for new hashes: 'ﬁ' and 'fi', full-width and ASCII are one password", async () => {
    const hasher = fast();
    const h = await hasher.hash('ﬁne ｐａｓｓｗｏｒｄ');
    assert.equal(await hasher.verify(h, 'fine password'), true);
    assert.equal(await hasher.verify(h, 'ﬁne ｐａｓｓｗｏｒｄ'), true);
    // Another peer sees the normalized form.
    assert.equal(await argon2.verify(h, 'fine password'), true);
    assert.equal(await argon2.verify(h, 'ﬁne ｐａｓｓｗｏｒｄ'), false);
  });

  test('hashes made elsewhere are tried as typed, then normalized', async () => {
    const hasher = fast();
    const raw = await argon2.hash('ﬁne password', { memoryCost: 1024, timeCost: 1, parallelism: 1 });
    const normalized = await argon2.hash('fine password', { memoryCost: 1024, timeCost: 1, parallelism: 1 });
    assert.equal(await hasher.verify(raw, 'ﬁne password'), true);
    assert.equal(await hasher.verify(normalized, 'ﬁne password'), true);
    assert.equal(await hasher.verify(raw, 'fine password'), false);
    const b = await bcrypt.hash('ﬁne password', 4);
    assert.equal(await hasher.verify(b, 'ﬁne password'), true);
    // The upgrade stores the normalized form: next time, one hash.
    const { rehash } = await hasher.verifyAndRehash(raw, 'ﬁne password');
    assert.equal(await argon2.verify(rehash, 'fine password'), true);
  });

  test("start-guard's own hashes are checked in the form they were made with, one hash", async () => {
    const asTyped = fast({ normalize: false });
    const h = await asTyped.hash('ﬁne password');
    assert.equal(await argon2.verify(h, 'ﬁne password'), true);
    const nfkc = fast();
    // The salt says the hash was made as typed: NFKC is not applied to the input for it.
    assert.equal(await nfkc.verify(h, 'ﬁne password'), true);
    assert.equal(await nfkc.verify(h, 'fine password'), false);
    assert.equal(nfkc.needsRehash(h), true, 'made in another form than the policy');
    assert.equal(asTyped.needsRehash(h), false);
    const nfc = fast({ normalize: 'NFC' });
    assert.equal(await nfc.verify(await nfc.hash('e\u0301tudes!!'), '\u00e9tudes!!'), true);
    assert.throws(() => fast({ normalize: 'NFX' }), { name: 'TypeError', message: /normalize/ });
  });
});

describe('peppers', () => {
  const secretA = 'pepper A: thirty-two bytes or more!!';
  const secretB = new Uint8Array(48).fill(0xb);

  test('the first pepper hashes (PHC keyid); rotation: old hashes verify and need a rehash', async () => {
    const v1 = fast({ peppers: [{ id: 'p1', secret: secretA }] });
    const h1 = await v1.hash(PW);
    assert.match(h1, /^\$argon2id\$v=19\$m=1024,t=1,p=1,keyid=p1\$/);
    assert.equal(await v1.verify(h1, PW), true);
    assert.equal(v1.needsRehash(h1), false);
    // The peers need the secret too.
    assert.equal(await argon2.verify(h1, PW), false);
    assert.equal(await noders.verify(h1, PW, { secret: Buffer.from(secretA) }), true);

    const v2 = fast({
      peppers: [
        { id: 'p2', secret: secretB },
        { id: 'p1', secret: secretA },
      ],
    });
    assert.equal(await v2.verify(h1, PW), true);
    assert.equal(await v2.verify(h1, 'wrong password'), false);
    assert.equal(v2.needsRehash(h1), true);
    const { valid, rehash } = await v2.verifyAndRehash(h1, PW);
    assert.equal(valid, true);
    assert.match(rehash, /,keyid=p2\$/);
    assert.equal(v2.needsRehash(rehash), false);

    // Without the old pepper configured, its hashes cannot be checked: false (after the dummy).
    const v3 = fast({ peppers: [{ id: 'p2', secret: secretB }] });
    assert.equal(await v3.verify(h1, PW), false);
    assert.equal(v3.needsRehash(h1), true);
    // Hashes from before any pepper verify, and move to the pepper.
    const plain = await fast().hash(PW);
    assert.equal(await v3.verify(plain, PW), true);
    assert.equal(v3.needsRehash(plain), true);
    // A peppered hash under a hasher that has no peppers.
    assert.equal(await fast().verify(rehash, PW), false);
  });

  test('pepper options: >= 32 bytes, at most 128, a PHC keyid, no duplicate ids', () => {
    assert.throws(() => fast({ peppers: [{ id: 'a', secret: 'short' }] }), code('ERR_SECRET_TOO_SHORT'));
    // A lone surrogate would be U+FFFD once UTF-8 encoded: two distinct peppers, one key.
    assert.throws(
      () => fast({ peppers: [{ id: 'a', secret: '\uD800'.repeat(11) }] }),
      (e) => isStartGuardError(e, 'ERR_INVALID_OPTION') && /well-formed/.test(e.message),
    );
    assert.throws(
      () => fast({ peppers: [{ id: 'a', secret: new Uint8Array(31) }] }),
      code('ERR_SECRET_TOO_SHORT'),
    );
    assert.throws(
      () => fast({ peppers: [{ id: 'a', secret: 'x'.repeat(129) }] }),
      code('ERR_INVALID_OPTION'),
    );
    assert.throws(() => fast({ peppers: [{ id: 'a b', secret: secretA }] }), {
      name: 'TypeError',
      message: /id/,
    });
    assert.throws(() => fast({ peppers: [{ id: 'x'.repeat(65), secret: secretA }] }), { name: 'TypeError' });
    assert.throws(
      () =>
        fast({
          peppers: [
            { id: 'a', secret: secretA },
            { id: 'a', secret: secretB },
          ],
        }),
      code('ERR_INVALID_OPTION'),
    );
    assert.throws(() => fast({ peppers: { id: 'a', secret: secretA } }), { name: 'TypeError' });
    assert.throws(() => fast({ peppers: [{ id: 'a', secret: 42 }] }), { name: 'TypeError' });
    // The hasher keeps its own copy: changing the caller's buffer changes nothing.
    const mine = new Uint8Array(32).fill(1);
    const h = fast({ peppers: [{ id: 'k', secret: mine }] });
    mine.fill(2);
    return h.hash(PW).then(async (s) => {
      assert.equal(await noders.verify(s, PW, { secret: Buffer.from(new Uint8Array(32).fill(1)) }), true);
    });
  });
});

describe('options', () => {
  test('argon2 parameters, with the PHC letters or the long names; salt and tag lengths', async () => {
    const a = await createPasswordHasher({
      argon2: { m: 2048, t: 3, p: 2, saltLength: 24, tagLength: 64 },
    }).hash(PW);
    assert.deepEqual(
      { ...phc(a), keyid: undefined },
      {
        variant: 'argon2id',
        version: 19,
        memoryKiB: 2048,
        passes: 3,
        parallelism: 2,
        keyid: undefined,
        saltLength: 24,
        tagLength: 64,
        associatedDataLength: 0,
      },
    );
    assert.equal(await argon2.verify(a, PW), true);
    const b = await createPasswordHasher({ argon2: { memoryKiB: 1024, passes: 1, parallelism: 1 } }).hash(PW);
    assert.match(b, /m=1024,t=1,p=1\$/);
    const c = await createPasswordHasher({ argon2: { memoryCost: 1024, timeCost: 1 } }).hash(PW);
    assert.match(c, /m=1024,t=1,p=1\$/);
  });

  test('bad options throw at construction, naming the option', () => {
    const bad = [
      [{ argon2: { m: 7 } }, RangeError, /options\.argon2\.m/],
      [{ argon2: { m: 16, p: 4 } }, RangeError, /argon2\.m/], // m >= 8p
      [{ argon2: { t: 0 } }, RangeError, /argon2\.t/],
      [{ argon2: { t: 1.5 } }, RangeError, /argon2\.t/],
      [{ argon2: { m: '19456' } }, TypeError, /argon2\.m/],
      [{ argon2: { saltLength: 8 } }, RangeError, /saltLength/],
      [{ argon2: { tagLength: 8 } }, RangeError, /tagLength/],
      [{ argon2: 'argon2id' }, TypeError, /options\.argon2/],
      [{ minPasswordLength: -1 }, RangeError, /minPasswordLength/],
      [{ minPasswordLength: 2000 }, RangeError, /minPasswordLength/], // over maxPasswordBytes
      [{ maxPasswordBytes: 0 }, RangeError, /maxPasswordBytes/],
      [{ allowEmpty: 'yes' }, TypeError, /allowEmpty/],
      [{ concurrency: 0 }, RangeError, /concurrency/],
      [{ maxQueue: -1 }, RangeError, /maxQueue/],
      [{ memoryBudgetMiB: 0 }, RangeError, /memoryBudgetMiB/],
      [{ maxBcryptCost: 32 }, RangeError, /maxBcryptCost/],
      [{ legacyBcryptTruncate: 1 }, TypeError, /legacyBcryptTruncate/],
      [{ minVerifyMs: -5 }, RangeError, /minVerifyMs/],
      [{ minVerifyMs: '5' }, TypeError, /minVerifyMs/],
      [{ onEvent: 'log' }, TypeError, /onEvent/],
      [42, TypeError, /options/],
    ];
    for (const [options, type, message] of bad) {
      assert.throws(
        () => createPasswordHasher(options),
        (e) => e instanceof type && message.test(e.message),
        JSON.stringify(options),
      );
    }
    const invalid = [
      { pepers: [] }, // a misspelt option is refused, not ignored
      { argon2: { memory: 1024 } },
      { argon2: { m: 1024, memoryKiB: 1024 } }, // two names for one parameter
      { argon2: { variant: 'argon2i' } },
      { memoryBudgetMiB: 16 }, // cannot hold one hash of m=19456 KiB
      { argon2: { m: 1024 * 1024 } }, // 1 GiB: over the process's budget (512 MiB by default)
    ];
    for (const options of invalid) {
      assert.throws(() => createPasswordHasher(options), code('ERR_INVALID_OPTION'), JSON.stringify(options));
    }
  });

  test('minPasswordLength, maxPasswordBytes and allowEmpty', async () => {
    const h = fast({ minPasswordLength: 12, maxPasswordBytes: 16, allowEmpty: true });
    await assert.rejects(h.hash('elevenchars'), code('ERR_PASSWORD_TOO_SHORT'));
    await assert.rejects(h.hash('seventeen chars!!'), code('ERR_PASSWORD_TOO_LONG'));
    const empty = await h.hash('');
    assert.equal(await h.verify(empty, ''), true);
    assert.equal(await h.verify(empty, 'x'), false);
    assert.equal(
      await fast().verify(empty, ''),
      false,
      'without allowEmpty the empty password never verifies',
    );
    const none = fast({ minPasswordLength: 0 });
    await assert.rejects(none.hash(''), code('ERR_PASSWORD_EMPTY'));
    assert.match(await none.hash('x'), /^\$argon2id/);
  });

  test('minVerifyMs: every answer, right or wrong, known account or not, takes at least that long', async () => {
    const h = fast({ minVerifyMs: 60 });
    const stored = await h.hash(PW);
    for (const [s, pw] of [
      [stored, PW],
      [stored, 'wrong password'],
      [null, PW],
      ['garbage', PW],
      [stored, ''],
    ]) {
      const t0 = performance.now();
      await h.verify(s, pw);
      assert.ok(performance.now() - t0 >= 60, `${s?.slice(0, 10)} ${pw}`);
    }
    const t0 = performance.now();
    assert.deepEqual(await h.verifyAndRehash(stored, 'wrong password'), { valid: false });
    assert.ok(performance.now() - t0 >= 60);
  });

  test('maxQueue: calls beyond the pool threads plus maxQueue are refused at once (503) and reported once', async () => {
    const events = [];
    const h = createPasswordHasher({
      argon2: { m: 8192, t: 8 },
      maxQueue: 2,
      onEvent: (e) => events.push(e),
    });
    const threads = engine.hashPoolStats().threads;
    const results = await Promise.allSettled(Array.from({ length: threads + 6 }, () => h.hash(PW)));
    const refused = results.filter((r) => r.status === 'rejected');
    assert.equal(results.length - refused.length, threads + 2);
    for (const r of refused) {
      assert.ok(isStartGuardError(r.reason, 'ERR_HASH_OVERLOADED'), String(r.reason));
      assert.equal(r.reason.status, 503);
    }
    assert.deepEqual(
      events.map((e) => [e.type, e.reason]),
      [['hash.overloaded', 'queue']],
    );
    assert.equal(typeof events[0].at, 'number');
    // Afterwards the hasher admits again.
    assert.match(await h.hash(PW), /^\$argon2id/);
  });
});

test('the browser build: the hasher is inert, every method throws ERR_SERVER_ONLY; options are still checked', async () => {
  const browser = await import(new URL('../../dist/browser/index.mjs', import.meta.url));
  const h = browser.createPasswordHasher({ argon2: small });
  const serverOnly = (e) => browser.isStartGuardError(e, 'ERR_SERVER_ONLY');
  await assert.rejects(h.hash(PW), serverOnly);
  await assert.rejects(h.verify(null, PW), serverOnly);
  await assert.rejects(h.verifyAndRehash(null, PW), serverOnly);
  assert.throws(() => h.needsRehash('x'), serverOnly);
  await assert.rejects(browser.hashPassword(PW), serverOnly);
  await assert.rejects(browser.verifyPassword(null, PW), serverOnly);
  assert.throws(() => browser.needsRehash('x'), serverOnly);
  assert.throws(
    () => browser.createPasswordHasher({ pepers: [] }),
    (e) => browser.isStartGuardError(e, 'ERR_INVALID_OPTION'),
  );
});

test('the whole API from two worker_threads and the main thread at once', async () => {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const sg = require(${JSON.stringify(require.resolve('start-guard'))});
    (async () => {
      const h = sg.createPasswordHasher({ argon2: { m: 2048, t: 1 }, peppers: [{ id: 'w', secret: 'a pepper of at least thirty-two bytes' }] });
      const out = [];
      for (let i = 0; i < 6; i++) {
        const pw = 'worker ' + workerData + ' password ' + i;
        const s = await h.hash(pw);
        const legacy = await sg.hashPassword(pw);
        out.push([s, await h.verify(s, pw), await h.verify(s, pw + '!'), await h.verify(null, pw),
          h.needsRehash(s), h.needsRehash(legacy), (await h.verifyAndRehash(legacy, pw)).rehash !== undefined,
          await sg.verifyPassword(legacy, pw)]);
      }
      parentPort.postMessage(out);
    })().catch((e) => parentPort.postMessage(String(e.stack)));`;
  const workers = [1, 2].map((id) => new Worker(source, { eval: true, workerData: id }));
  const mine = Promise.all(Array.from({ length: 4 }, (_, i) => hashPassword(`main password ${i}`)));
  const results = await Promise.all(
    workers.map((w) => new Promise((res, rej) => (w.once('message', res), w.once('error', rej)))),
  );
  for (const [w, out] of results.entries()) {
    assert.ok(Array.isArray(out), String(out));
    for (const [i, [s, ok, wrong, unknown, rehash, legacyRehash, upgraded, legacyOk]] of out.entries()) {
      assert.deepEqual(
        [ok, wrong, unknown, rehash, legacyRehash, upgraded, legacyOk],
        [true, false, false, false, true, true, true],
      );
      assert.equal(
        await noders.verify(s, `worker ${w + 1} password ${i}`, {
          secret: Buffer.from('a pepper of at least thirty-two bytes'),
        }),
        true,
      );
    }
  }
  for (const [i, s] of (await mine).entries())
    assert.equal(await verifyPassword(s, `main password ${i}`), true);
  await Promise.all(workers.map((w) => w.terminate()));
});
