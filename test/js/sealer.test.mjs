import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decrypt as pasetoDecrypt, encrypt as pasetoEncrypt } from 'paseto-ts/v4';
import { createSealer, isStartGuardError, randomBytes } from 'start-guard';

const vectors = JSON.parse(readFileSync(new URL('../vectors/paseto-v4-local.json', import.meta.url), 'utf8'));
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const clock = (start = T0) => {
  const c = { ms: start, nowMs: () => c.ms };
  return c;
};
const key32 = () => randomBytes(32);
const paserkOf = (key) => 'k4.local.' + Buffer.from(key).toString('base64url');

test('seal/unseal round-trips JSON values, with and without claims', () => {
  const c = clock();
  const s = createSealer({ secrets: key32(), nowMs: c.nowMs });
  for (const value of [{ a: 1, b: ['x', null] }, 'text', 0, false, null, [1, 2, 3], 'ünïcödé ✓']) {
    assert.deepEqual(s.unseal(s.seal(value, { ttl: 60 })), value);
  }
  const t = s.seal({ uid: 'u1' }, { ttl: 90 });
  const claims = s.unseal(t, { claims: true });
  assert.deepEqual(claims.value, { uid: 'u1' });
  assert.equal(claims.iat, T0 / 1000);
  assert.equal(claims.exp, T0 / 1000 + 90);
  assert.match(claims.jti, /^[A-Za-z0-9_-]{22}$/);
  assert.notEqual(s.unseal(s.seal(1, { ttl: 9 }), { claims: true }).jti, claims.jti);
  assert.match(t, /^v4\.local\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
});

test('tokens expire at iat + ttl, checked against the clock on unseal', () => {
  const c = clock();
  const s = createSealer({ secrets: key32(), nowMs: c.nowMs });
  const t = s.seal('v', { ttl: 10 });
  c.ms += 9_999;
  assert.equal(s.unseal(t), 'v');
  c.ms += 1;
  assert.equal(s.unseal(t), null);
});

test('the purpose is bound to the token (implicit assertion)', () => {
  const s = createSealer({ secrets: key32() });
  const t = s.seal('v', { ttl: 60, purpose: 'reset-password' });
  assert.equal(s.unseal(t, { purpose: 'reset-password' }), 'v');
  assert.equal(s.unseal(t), null);
  assert.equal(s.unseal(t, { purpose: 'reset-passwordX' }), null);
  assert.equal(s.unseal(s.seal('v', { ttl: 60 }), { purpose: 'reset-password' }), null);
});

test('rotation: the first secret seals, every secret unseals; a removed secret stops working', () => {
  const oldKey = key32();
  const newKey = 'a new application secret, at least 32 bytes long';
  const before = createSealer({ secrets: [oldKey] });
  const during = createSealer({ secrets: [newKey, oldKey] });
  const after = createSealer({ secrets: [newKey] });
  const oldToken = before.seal('old', { ttl: 60 });
  const newToken = during.seal('new', { ttl: 60 });
  assert.equal(during.unseal(oldToken), 'old');
  assert.equal(during.unseal(newToken), 'new');
  assert.equal(after.unseal(newToken), 'new');
  assert.equal(after.unseal(oldToken), null);
  assert.equal(before.unseal(newToken), null);
});

test('keys: Uint8Array(32) and k4.local are used as is; other secrets are derived; short ones refused', () => {
  const raw = key32();
  const a = createSealer({ secrets: raw });
  const b = createSealer({ secrets: paserkOf(raw) });
  assert.equal(b.unseal(a.seal('same key', { ttl: 60 })), 'same key');
  // A string and the same bytes longer than 32 derive the same key.
  const pass = 'p'.repeat(40);
  const c = createSealer({ secrets: pass });
  const d = createSealer({ secrets: Buffer.from(pass) });
  assert.equal(d.unseal(c.seal('derived alike', { ttl: 60 })), 'derived alike');
  // A 32-character string is derived, while the same 32 bytes as a Uint8Array are the key.
  const str32 = createSealer({ secrets: 'q'.repeat(32) });
  const raw32 = createSealer({ secrets: new Uint8Array(Buffer.from('q'.repeat(32))) });
  assert.equal(raw32.unseal(str32.seal('x', { ttl: 60 })), null);
  for (const short of ['p'.repeat(31), new Uint8Array(31), '']) {
    assert.throws(
      () => createSealer({ secrets: short }),
      (err) => isStartGuardError(err, 'ERR_SECRET_TOO_SHORT') && !err.message.includes('ppp'),
    );
  }
  assert.throws(
    () => createSealer({ secrets: 'k4.local.notbase64!' }),
    (err) => isStartGuardError(err, 'ERR_INVALID_OPTION'),
  );
  // A lone surrogate would be U+FFFD once UTF-8 encoded: '\uD800' x 11 and '\uFFFD' x 11 one key.
  for (const bad of ['\uD800'.repeat(11), ['q'.repeat(32), 'p'.repeat(31) + '\uDFFF']]) {
    assert.throws(
      () => createSealer({ secrets: bad }),
      (err) => isStartGuardError(err, 'ERR_INVALID_OPTION') && /secrets\[\d\].*well-formed/.test(err.message),
    );
  }
  assert.throws(
    () => createSealer({ secrets: [] }),
    (err) => isStartGuardError(err, 'ERR_INVALID_OPTION'),
  );
  assert.throws(() => createSealer({ secrets: 42 }), TypeError);
  assert.throws(() => createSealer(), TypeError);
});

test('unseal never throws for a bad token and says why through onReject', () => {
  const reasons = [];
  const s = createSealer({ secrets: key32(), onReject: (r) => reasons.push(r), maxTokenBytes: 600 });
  const t = s.seal({ a: 1 }, { ttl: 60 });
  const other = createSealer({ secrets: key32() }).seal({ a: 1 }, { ttl: 60 });
  const noFooter = t.slice(0, t.lastIndexOf('.'));
  const cases = [
    [undefined, 'not_a_string'],
    [42, 'not_a_string'],
    [{ toString: () => t }, 'not_a_string'],
    ['', 'malformed'],
    ['v4.local.', 'invalid'],
    ['v3.local.' + t.slice(9), 'malformed'],
    ['v4.public.' + t.slice(9), 'malformed'],
    [t + 'x', 'unknown_key'],
    [t + '.', 'unknown_key'],
    [other, 'unknown_key'],
    [noFooter, 'invalid'],
    [t.slice(0, 40) + '.' + t.slice(t.lastIndexOf('.') + 1), 'invalid'],
    ['v4.local.' + 'A'.repeat(700), 'too_large'],
    ['v4.local.%%%%', 'invalid'],
  ];
  for (const [token, why] of cases) {
    reasons.length = 0;
    assert.equal(s.unseal(token), null, String(token).slice(0, 30));
    assert.deepEqual(reasons, [why], String(token).slice(0, 30));
  }
  // Every single-character change of the token body is refused.
  const bodyEnd = t.lastIndexOf('.');
  const alphabet = 'AQgw';
  for (let i = 9; i < bodyEnd; i++) {
    const ch = alphabet[(alphabet.indexOf(t[i]) + 1) % alphabet.length] ?? 'A';
    assert.equal(s.unseal(t.slice(0, i) + ch + t.slice(i + 1)), null, `position ${i}`);
  }
  // A throwing onReject is swallowed.
  const loud = createSealer({
    secrets: key32(),
    onReject: () => {
      throw new Error('boom');
    },
  });
  assert.equal(loud.unseal('junk'), null);
});

test('maxTokenBytes: sealing over it is ERR_TOKEN_TOO_LARGE', () => {
  const s = createSealer({ secrets: key32(), maxTokenBytes: 300 });
  assert.throws(
    () => s.seal('x'.repeat(400), { ttl: 60 }),
    (err) => isStartGuardError(err, 'ERR_TOKEN_TOO_LARGE'),
  );
  assert.throws(
    () => createSealer({ secrets: key32(), maxTokenBytes: 10 }),
    (err) => isStartGuardError(err, 'ERR_INVALID_OPTION'),
  );
});

test('wrong argument types at the boundary are TypeErrors naming the argument', () => {
  const s = createSealer({ secrets: key32() });
  assert.throws(() => s.seal({ a: 1 }), { name: 'TypeError', message: /"options"/ });
  assert.throws(() => s.seal({ a: 1 }, {}), { name: 'TypeError', message: /"options.ttl"/ });
  assert.throws(() => s.seal({ a: 1 }, { ttl: '60' }), { name: 'TypeError', message: /"options.ttl"/ });
  assert.throws(() => s.seal(undefined, { ttl: 60 }), { name: 'TypeError', message: /"value"/ });
  assert.throws(() => s.seal({}, { ttl: 60, purpose: 7 }), { name: 'TypeError', message: /"purpose"/ });
  for (const ttl of [0, -1, NaN, Infinity]) {
    assert.throws(
      () => s.seal(1, { ttl }),
      (err) => isStartGuardError(err, 'ERR_INVALID_OPTION'),
    );
  }
  assert.throws(() => createSealer({ secrets: key32(), onReject: 'x' }), TypeError);
});

test('official v4.local vectors through the public API (no-footer ones; 4-F-4 refused)', () => {
  const before2022 = () => Date.UTC(2021, 0, 1);
  for (const v of vectors.tests) {
    if (v.footer !== '' || v['implicit-assertion'] !== '') continue;
    const s = createSealer({ secrets: Buffer.from(v.key, 'hex'), nowMs: before2022 });
    const got = s.unseal(v.token);
    if (v['expect-fail']) assert.equal(got, null, v.name);
    else assert.equal(got, JSON.parse(v.payload).data, v.name);
  }
});

test('interop with paseto-ts: its tokens unseal here, and ours decrypt there', () => {
  const key = key32();
  const s = createSealer({ secrets: key });
  const theirs = pasetoEncrypt(paserkOf(key), { data: { from: 'paseto-ts' }, exp: '1 hour' });
  assert.deepEqual(s.unseal(theirs), { from: 'paseto-ts' });
  const theirsBound = pasetoEncrypt(paserkOf(key), { data: 7, exp: '1 hour' }, { assertion: 'p1' });
  assert.equal(s.unseal(theirsBound, { purpose: 'p1' }), 7);
  assert.equal(s.unseal(theirsBound), null);

  const ours = s.seal({ from: 'start-guard' }, { ttl: 60, purpose: 'p2' });
  const { payload, footer } = pasetoDecrypt(paserkOf(key), ours, { assertion: 'p2' });
  assert.deepEqual(payload.data, { from: 'start-guard' });
  assert.match(footer.kid, /^k4\.lid\.[A-Za-z0-9_-]{44}$/);
  assert.throws(() => pasetoDecrypt(paserkOf(key), ours, { assertion: 'p3' }));
});

test('the README vector: made by start-guard, read by start-guard and by paseto-ts', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const grab = (label) => readme.match(new RegExp('^' + label + ': `([^`]+)`$', 'm'))?.[1];
  const key = grab('key'),
    token = grab('token'),
    purpose = grab('purpose'),
    payload = grab('payload');
  assert.ok(key && token && purpose && payload, 'README vector block missing');
  const s = createSealer({ secrets: key });
  assert.deepEqual(s.unseal(token, { purpose }), JSON.parse(payload).data);
  const theirs = pasetoDecrypt(key, token, { assertion: purpose });
  assert.deepEqual(theirs.payload, JSON.parse(payload));
});

test('worker threads: a token sealed in a worker unseals on the main thread, and back', async () => {
  const { Worker } = await import('node:worker_threads');
  const secret = 'a secret shared by every thread, 32+ bytes';
  const s = createSealer({ secrets: secret });
  const mine = s.seal({ from: 'main' }, { ttl: 60 });
  const w = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const s = require('start-guard').createSealer({ secrets: workerData.secret });
     parentPort.postMessage({ theirs: s.seal({ from: 'worker' }, { ttl: 60 }), read: s.unseal(workerData.mine) });`,
    { eval: true, workerData: { secret, mine } },
  );
  const msg = await new Promise((resolve, reject) => w.once('message', resolve).once('error', reject));
  await w.terminate();
  assert.deepEqual(msg.read, { from: 'main' });
  assert.deepEqual(s.unseal(msg.theirs), { from: 'worker' });
});

test('multi-byte characters at every buffer boundary are never cut (no junk-appended token verifies)', () => {
  const reasons = [];
  const s = createSealer({ secrets: key32(), onReject: (r) => reasons.push(r), maxTokenBytes: 12000 });
  const suffixes = ['é', '€', '😀', 'x'];
  // Payloads whose UTF-8 length crosses 1024 and 4096 (the binding's buffer sizes) by 0-4 bytes.
  for (const base of [1010, 1014, 1018, 1020, 1022, 4080, 4086, 4090, 4094]) {
    for (const ch of suffixes) {
      const value = 'a'.repeat(base) + ch.repeat(3);
      const t = s.seal(value, { ttl: 60 });
      assert.equal(s.unseal(t), value, `payload ${base} + ${ch}`);
    }
  }
  // Footer-less tokens (as other PASETO libraries write them) of every length near the buffer
  // sizes, with one multi-byte character appended: all refused.
  const key = key32();
  const sealer = createSealer({ secrets: key, maxTokenBytes: 12000 });
  for (let n = 700; n < 800; n += 3) {
    const t = pasetoEncrypt(paserkOf(key), { data: 'y'.repeat(n), exp: '1 hour' });
    assert.equal(sealer.unseal(t), 'y'.repeat(n));
    for (const ch of suffixes) assert.equal(sealer.unseal(t + ch), null, `token of ${t.length} + ${ch}`);
  }
  // Purposes sharing a long prefix do not match each other.
  for (const len of [1019, 1020, 1021, 1022, 1023]) {
    const p = 'p'.repeat(len);
    const t = s.seal('v', { ttl: 60, purpose: p + 'ü-user' });
    assert.equal(s.unseal(t, { purpose: p + 'é-admin' }), null, `purpose prefix ${len}`);
    assert.equal(s.unseal(t, { purpose: p + 'ü-user' }), 'v');
  }
});

test('claims are RFC 3339 with an explicit offset: local-time or free-form dates are refused', () => {
  const key = key32();
  const s = createSealer({ secrets: key });
  const make = (exp) =>
    pasetoEncrypt(paserkOf(key), JSON.stringify({ data: 1, exp }), {
      validatePayload: false,
      addIat: false,
      addExp: false,
    });
  assert.equal(s.unseal(make('2126-01-01T00:00:00Z')), 1);
  assert.equal(s.unseal(make('2126-01-01T00:00:00+02:00')), 1);
  assert.equal(s.unseal(make('2126-01-01T00:00:00.123Z')), 1);
  for (const exp of ['2126-01-01T00:00:00', '2126-01-01', 'Jan 1 2126', '4102444800', 4102444800, null]) {
    assert.equal(s.unseal(make(exp)), null, String(exp));
  }
  assert.equal(s.unseal(make('2020-01-01T00:00:00Z')), null);
  // Impossible dates are refused, not rolled over (Feb 31 would be read as Mar 3).
  for (const exp of [
    '2126-02-31T00:00:00Z',
    '2126-13-01T00:00:00Z',
    '2126-01-01T24:00:00Z',
    '2126-01-01T00:60:00Z',
    '2126-01-01T00:00:00+24:00',
  ]) {
    assert.equal(s.unseal(make(exp)), null, exp);
  }
  assert.equal(s.unseal(make('2128-02-29T00:00:00Z')), 1); // a leap day
});

test('a purpose must be a well-formed string: lone surrogates would collapse into U+FFFD', () => {
  const s = createSealer({ secrets: key32() });
  assert.throws(() => s.seal(1, { ttl: 60, purpose: 'p\uD800' }), {
    name: 'TypeError',
    message: /"purpose"/,
  });
  assert.throws(() => s.unseal('v4.local.x', { purpose: 'p\uDC00' }), { name: 'TypeError' });
  const t = s.seal(1, { ttl: 60, purpose: 'p\uFFFD' });
  assert.equal(s.unseal(t, { purpose: 'p\uFFFD' }), 1);
});

// --- Review fixes (issue 7) ------------------------------------------------------------------

/** Median microseconds per call over `batches` batches of `n` calls. */
function usPerCall(fn, batches = 9, n = 400) {
  const xs = [];
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    xs.push(Number(process.hrtime.bigint() - t0) / 1e3 / n);
  }
  xs.sort((a, b) => a - b);
  return xs[xs.length >> 1];
}

test('an oversized seal is refused before any native work, and later calls cost what they did', () => {
  const s = createSealer({ secrets: key32() });
  const token = s.seal({ uid: 'u1', roles: ['a'] }, { ttl: 60 });
  const work = () => {
    s.unseal(token);
    s.seal({ uid: 'u1' }, { ttl: 60 });
  };
  usPerCall(work, 3); // warm-up
  const before = usPerCall(work);
  const huge = 'x'.repeat(64 << 20);
  const t0 = process.hrtime.bigint();
  assert.throws(
    () => s.seal(huge, { ttl: 60 }),
    (e) => isStartGuardError(e, 'ERR_TOKEN_TOO_LARGE'),
  );
  // Refused after JSON.stringify (the caller's value), without the native copy and encryption.
  const refusedMs = Number(process.hrtime.bigint() - t0) / 1e6;
  // The best of three measurements: a garbage collection of the 64 MiB strings, or a noisy
  // neighbour, may slow one of them; the defect made every call 200x slower, every time.
  const after = Math.min(usPerCall(work), usPerCall(work), usPerCall(work));
  // Before the fix: unseal 5 µs -> 1046 µs and seal 4 µs -> 2195 µs (a 64 MiB buffer resized and
  // wiped on every call). A bound of 3x leaves room for a noisy machine.
  assert.ok(after < before * 3, `after an oversized seal: ${after.toFixed(2)} µs vs ${before.toFixed(2)} µs`);
  assert.ok(refusedMs < 2000, `refusing took ${refusedMs} ms`);
});

test('the binding keeps its reused buffers bounded: a huge native seal leaves later calls as fast', () => {
  // The binding directly (the sealer refuses such payloads before it): the per-thread buffers
  // must not grow to the largest call ever made and be wiped in full on every later call.
  const b = require(join(root, 'dist/cjs/native.js')).native();
  const key = b.localKey(key32());
  const token = b.seal(key, '{"data":1}', '', '');
  const work = () => {
    b.unseal(key, token, '');
    b.seal(key, '{"data":1}', '', '');
  };
  usPerCall(work, 3);
  const before = usPerCall(work);
  const huge = b.seal(key, 'y'.repeat(16 << 20), '', 'p'.repeat(1 << 20));
  assert.equal(b.unseal(key, huge, 'p'.repeat(1 << 20)).length, 16 << 20);
  const after = Math.min(usPerCall(work), usPerCall(work), usPerCall(work));
  assert.ok(after < before * 3, `after a 16 MiB seal: ${after.toFixed(2)} µs vs ${before.toFixed(2)} µs`);
  // Every string still arrives whole (no cut at a buffer boundary after the switch of buffers).
  for (const n of [65534, 65535, 65536, 21845, 21846]) {
    const payload = '€'.repeat(Math.floor(n / 3)) + 'z'.repeat(n % 3);
    assert.equal(b.unseal(key, b.seal(key, payload, '', ''), ''), payload);
  }
});

test('ttl is capped where RFC 3339 ends (year 9999): never a token that cannot be read, never a bare RangeError', () => {
  const c = clock();
  const s = createSealer({ secrets: key32(), nowMs: c.nowMs });
  for (const ttl of [3e11, 1e13, Number.MAX_SAFE_INTEGER]) {
    assert.throws(
      () => s.seal(1, { ttl }),
      (e) => isStartGuardError(e, 'ERR_INVALID_OPTION') && /ttl/.test(e.message),
      String(ttl),
    );
  }
  const last = 253402300799 - T0 / 1000; // ends at 9999-12-31T23:59:59Z
  assert.equal(s.unseal(s.seal('far', { ttl: last })), 'far');
  assert.equal(s.unseal(s.seal('far', { ttl: last }), { claims: true }).exp, 253402300799);
  assert.throws(
    () => s.seal(1, { ttl: last + 1 }),
    (e) => isStartGuardError(e, 'ERR_INVALID_OPTION'),
  );
});

test('values JSON drops (functions, symbols, toJSON giving undefined) are refused, never sealed unreadable', () => {
  const s = createSealer({ secrets: key32() });
  for (const value of [undefined, () => 1, Symbol('x'), { toJSON: () => undefined }]) {
    assert.throws(() => s.seal(value, { ttl: 60 }), { code: 'ERR_INVALID_ARG_TYPE' }, String(value));
  }
  // What JSON keeps inside an object still round-trips as JSON would give it.
  assert.deepEqual(s.unseal(s.seal({ a: 1, f: () => 1, u: undefined }, { ttl: 60 })), { a: 1 });
  assert.equal(s.unseal(s.seal({ toJSON: () => 'j' }, { ttl: 60 })), 'j');
});

test('a token that would be born expired (sub-second ttl) or a clock that is not a number is refused with a code', () => {
  const c = clock(T0 + 500);
  const s = createSealer({ secrets: key32(), nowMs: c.nowMs });
  for (const ttl of [0.4, Number.MIN_VALUE, 0.49]) {
    assert.throws(
      () => s.seal(1, { ttl }),
      (e) => isStartGuardError(e, 'ERR_INVALID_OPTION'),
      String(ttl),
    );
  }
  assert.equal(s.unseal(s.seal(1, { ttl: 0.6 })), 1); // ends at the next whole second: readable
  const broken = createSealer({ secrets: key32(), nowMs: () => NaN });
  assert.throws(
    () => broken.seal(1, { ttl: 60 }),
    (e) => isStartGuardError(e, 'ERR_INVALID_OPTION'),
  );
});
