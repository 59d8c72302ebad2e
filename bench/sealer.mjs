// Seal and unseal of a ~130-byte session: start-guard (PASETO v4.local, native) against
// iron-webcrypto (Fe26.2, what iron-session and WorkOS AuthKit use) and paseto-ts (v4.local in
// JS). Sequential calls, JSON and expiry checks included on every side; contenders alternate.
import * as iron from 'iron-webcrypto';
import { decrypt as pasetoDecrypt, encrypt as pasetoEncrypt } from 'paseto-ts/v4';
import { createSealer, randomBytes } from 'start-guard';
import { sessionPayload } from './lib/fixtures.mjs';
import { alternate, fmtUs, printTable } from './lib/measure.mjs';

const rounds = Number(process.env.ROUNDS ?? 7);
const session = sessionPayload;
console.log(`payload: ${JSON.stringify(session).length} bytes of JSON; ${rounds} rounds, alternating`);

const key = randomBytes(32);
const sealer = createSealer({ secrets: key });
const password = Buffer.from(randomBytes(32)).toString('hex');
const ironOpts = { ...iron.defaults, ttl: 3600_000 };
const paserk = 'k4.local.' + Buffer.from(key).toString('base64url');

const sgToken = sealer.seal(session, { ttl: 3600 });
const ironToken = await iron.seal(session, password, ironOpts);
const pasetoToken = pasetoEncrypt(paserk, { data: session, exp: '1 hour' });
console.log(
  `token sizes: start-guard ${sgToken.length}, iron ${ironToken.length}, paseto-ts ${pasetoToken.length} characters`,
);

// Sanity: every contender really round-trips (a benchmark of a failing path measures nothing).
if (sealer.unseal(sgToken).uid !== session.uid) throw new Error('start-guard round trip');
if ((await iron.unseal(ironToken, password, ironOpts)).uid !== session.uid)
  throw new Error('iron round trip');
if (pasetoDecrypt(paserk, pasetoToken).payload.data.uid !== session.uid)
  throw new Error('paseto-ts round trip');

const unseal = await alternate(
  [
    { name: 'start-guard unseal', fn: () => sealer.unseal(sgToken), n: 40000 },
    { name: 'iron-webcrypto unseal', fn: () => iron.unseal(ironToken, password, ironOpts), n: 800 },
    { name: 'paseto-ts decrypt', fn: () => pasetoDecrypt(paserk, pasetoToken), n: 4000 },
  ],
  rounds,
);
printTable('unseal (verify + decrypt + JSON + expiry)', unseal, 'start-guard unseal');

const seal = await alternate(
  [
    { name: 'start-guard seal', fn: () => sealer.seal(session, { ttl: 3600 }), n: 40000 },
    { name: 'iron-webcrypto seal', fn: () => iron.seal(session, password, ironOpts), n: 800 },
    { name: 'paseto-ts encrypt', fn: () => pasetoEncrypt(paserk, { data: session, exp: '1 hour' }), n: 4000 },
  ],
  rounds,
);
printTable('seal (JSON + encrypt + MAC)', seal, 'start-guard seal');

// Where the time of one unseal goes: the same token through the bare binding call (C++ decode,
// MAC, decrypt, string out), then JSON.parse, then the claim checks.
const { native } = await import('../dist/cjs/native.js');
const b = native();
const handle = b.localKey(key);
const payload = b.unseal(handle, sgToken, '');
const parts = await alternate(
  [
    { name: 'binding unseal only', fn: () => b.unseal(handle, sgToken, ''), n: 40000 },
    { name: 'JSON.parse of the payload', fn: () => JSON.parse(payload), n: 200000 },
    { name: 'Date.parse of exp', fn: () => Date.parse('2026-11-25T16:01:00Z'), n: 200000 },
    { name: 'full unseal', fn: () => sealer.unseal(sgToken), n: 40000 },
  ],
  rounds,
);
console.log('\nwhere an unseal spends its time (medians):');
for (const [name, r] of parts) console.log(`  ${name.padEnd(28)} ${fmtUs(r.median)}`);
