// Password engines: start-guard's Argon2id (reference opt.c, own pool) against argon2
// (node-argon2) and @node-rs/argon2 at OWASP's m=19456 KiB, t=2, p=1 — one at a time and 4 in
// flight — then each SIMD level forced in turn, then bcrypt cost 10 against bcrypt and bcryptjs.
// Contenders alternate round after round in this one process; medians and ratios of medians
// (and the median of each round's own ratio, which cancels slow spells of a shared machine).
import argon2 from 'argon2';
import * as noders from '@node-rs/argon2';
import bcrypt from 'bcrypt';
import bcryptjs from 'bcryptjs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { alternate, reportTimes } from './lib/measure.mjs';

const require = createRequire(import.meta.url);
const engine = require('../dist/cjs/passwords/engine.js');
const rounds = Number(process.env.ROUNDS ?? 7);
const pw = 'correct horse battery staple';
const pwBytes = new TextEncoder().encode(pw);
const owasp = { variant: 'argon2id', memoryKiB: 19456, passes: 2, parallelism: 1 };
const peerOwasp = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };
const rsOwasp = { algorithm: noders.Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };
const pool = engine.hashPoolStats();
console.log(
  `${rounds} rounds, alternating; ${availableParallelism()} cores; start-guard pool: ${pool.threads} threads; ` +
    `SIMD ${engine.argon2Simd().level} (available: ${engine.argon2Simd().available.join(', ')}); ` +
    `UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? 'default (4)'}`,
);

// Sanity: the strings interoperate (a benchmark of a failing path measures nothing).
const sgHash = await engine.argon2Hash(pwBytes, owasp);
if (!(await noders.verify(sgHash, pw)) || !(await argon2.verify(sgHash, pw))) throw new Error('interop');

const report = (title, results, base, perOp) => reportTimes(title, results, base, perOp, 'hash', 'hashes');

const n1 = Number(process.env.N1 ?? 12);
const one = await alternate(
  [
    { name: 'start-guard', fn: () => engine.argon2Hash(pwBytes, owasp), n: n1 },
    { name: '@node-rs/argon2', fn: () => noders.hash(pw, rsOwasp), n: n1 },
    { name: 'argon2', fn: () => argon2.hash(pw, peerOwasp), n: n1 },
  ],
  rounds,
);
report('Argon2id OWASP (m=19456, t=2, p=1), one at a time', one, '@node-rs/argon2');

const four = (f) => () => Promise.all([f(), f(), f(), f()]);
const n4 = Number(process.env.N4 ?? 5);
const inFlight = await alternate(
  [
    { name: 'start-guard', fn: four(() => engine.argon2Hash(pwBytes, owasp)), n: n4 },
    { name: '@node-rs/argon2', fn: four(() => noders.hash(pw, rsOwasp)), n: n4 },
    { name: 'argon2', fn: four(() => argon2.hash(pw, peerOwasp)), n: n4 },
  ],
  rounds,
);
report('Argon2id OWASP, 4 in flight (throughput)', inFlight, '@node-rs/argon2', 4);

const levels = engine.argon2Simd().available;
const chosen = engine.argon2Simd().level;
const forced = (level) => () => {
  engine.argon2Simd(level);
  return engine.argon2Hash(pwBytes, owasp);
};
const simd = await alternate(
  [
    ...levels.map((l) => ({ name: `start-guard ${l}`, fn: forced(l), n: n1 })),
    { name: '@node-rs/argon2', fn: () => noders.hash(pw, rsOwasp), n: n1 },
  ],
  rounds,
);
engine.argon2Simd(chosen);
report('Argon2id OWASP, one at a time, each SIMD level forced in turn', simd, '@node-rs/argon2');

const verify = await alternate(
  [
    { name: 'start-guard verify', fn: () => engine.argon2Verify(sgHash, pwBytes, null), n: n1 },
    { name: '@node-rs/argon2 verify', fn: () => noders.verify(sgHash, pw), n: n1 },
    { name: 'argon2 verify', fn: () => argon2.verify(sgHash, pw), n: n1 },
  ],
  rounds,
);
report('Argon2id OWASP verify, one at a time', verify, '@node-rs/argon2 verify');

const nb = Number(process.env.NB ?? 4);
const bcryptHash = await bcrypt.hash(pw, 10);
const bc = await alternate(
  [
    { name: 'start-guard bcrypt', fn: () => engine.bcryptHash(pwBytes, 10), n: nb },
    { name: 'bcrypt', fn: () => bcrypt.hash(pw, 10), n: nb },
    { name: 'bcryptjs', fn: () => bcryptjs.hash(pw, 10), n: nb },
  ],
  rounds,
);
report('bcrypt cost 10 hash, one at a time', bc, 'bcrypt');
const bcv = await alternate(
  [
    { name: 'start-guard bcrypt verify', fn: () => engine.bcryptVerify(bcryptHash, pwBytes), n: nb },
    { name: 'bcrypt verify', fn: () => bcrypt.compare(pw, bcryptHash), n: nb },
    { name: 'bcryptjs verify', fn: () => bcryptjs.compare(pw, bcryptHash), n: nb },
  ],
  rounds,
);
report('bcrypt cost 10 verify, one at a time', bcv, 'bcrypt verify');
