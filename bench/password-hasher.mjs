// The password policy layer (hashPassword / verifyPassword at the defaults: OWASP Argon2id,
// NFKC, marked salt, the dummy path) against argon2 (node-argon2), @node-rs/argon2, bcrypt and
// bcryptjs as a user calls them: one at a time, 4 in flight, verify of a wrong password and of an
// unknown account, bcrypt verify through the policy layer, and the event loop and fs.readFile
// while each one is saturated. Contenders alternate round after round in this one process;
// medians, ratios of medians, and the median of each round's own ratio.
import argon2 from 'argon2';
import * as noders from '@node-rs/argon2';
import bcrypt from 'bcrypt';
import bcryptjs from 'bcryptjs';
import { readFile, writeFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { alternate, reportTimes } from './lib/measure.mjs';

const require = createRequire(import.meta.url);
const sg = require('../dist/cjs/index.js');
const engine = require('../dist/cjs/passwords/engine.js');
const rounds = Number(process.env.ROUNDS ?? 7);
const pw = 'correct horse battery staple';
const pwBytes = new TextEncoder().encode(pw);
const owasp = { memoryCost: 19456, timeCost: 2, parallelism: 1 };
const rsOwasp = { algorithm: noders.Algorithm.Argon2id, ...owasp };
const peerOwasp = { type: argon2.argon2id, ...owasp };
console.log(
  `${rounds} rounds, alternating; ${availableParallelism()} cores; start-guard pool ${engine.hashPoolStats().threads} threads, ` +
    `SIMD ${engine.argon2Simd().level}; UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? 'default (4)'}`,
);

const stored = await sg.hashPassword(pw);
const rsStored = await noders.hash(pw, rsOwasp);
const peerStored = await argon2.hash(pw, peerOwasp);
const bcStored = await bcrypt.hash(pw, 10);
if (!(await sg.verifyPassword(stored, pw)) || !(await noders.verify(stored, pw))) throw new Error('interop');

const report = reportTimes;

const n1 = Number(process.env.N1 ?? 12);
report(
  'hash at the defaults (Argon2id m=19456 t=2 p=1), one at a time',
  await alternate(
    [
      { name: 'start-guard hashPassword', fn: () => sg.hashPassword(pw), n: n1 },
      {
        name: 'start-guard engine (no policy)',
        fn: () =>
          engine.argon2Hash(pwBytes, { variant: 'argon2id', memoryKiB: 19456, passes: 2, parallelism: 1 }),
        n: n1,
      },
      { name: '@node-rs/argon2', fn: () => noders.hash(pw, rsOwasp), n: n1 },
      { name: 'argon2', fn: () => argon2.hash(pw, peerOwasp), n: n1 },
    ],
    rounds,
  ),
  '@node-rs/argon2',
);

const four = (f) => () => Promise.all([f(), f(), f(), f()]);
const n4 = Number(process.env.N4 ?? 5);
report(
  'hash at the defaults, 4 in flight (throughput)',
  await alternate(
    [
      { name: 'start-guard hashPassword', fn: four(() => sg.hashPassword(pw)), n: n4 },
      { name: '@node-rs/argon2', fn: four(() => noders.hash(pw, rsOwasp)), n: n4 },
      { name: 'argon2', fn: four(() => argon2.hash(pw, peerOwasp)), n: n4 },
    ],
    rounds,
  ),
  '@node-rs/argon2',
  4,
);

report(
  'verify, a wrong password (and start-guard: an unknown account, the dummy), one at a time',
  await alternate(
    [
      { name: 'start-guard verifyPassword', fn: () => sg.verifyPassword(stored, 'wrong guess'), n: n1 },
      { name: 'start-guard verifyPassword(null)', fn: () => sg.verifyPassword(null, 'wrong guess'), n: n1 },
      { name: '@node-rs/argon2 verify', fn: () => noders.verify(rsStored, 'wrong guess'), n: n1 },
      { name: 'argon2 verify', fn: () => argon2.verify(peerStored, 'wrong guess'), n: n1 },
    ],
    rounds,
  ),
  '@node-rs/argon2 verify',
);

const nb = Number(process.env.NB ?? 4);
report(
  'bcrypt cost 10 verify (a legacy hash), one at a time',
  await alternate(
    [
      { name: 'start-guard verifyPassword', fn: () => sg.verifyPassword(bcStored, pw), n: nb },
      { name: 'bcrypt compare', fn: () => bcrypt.compare(pw, bcStored), n: nb },
      { name: 'bcryptjs compare', fn: () => bcryptjs.compare(pw, bcStored), n: nb },
    ],
    rounds,
  ),
  'bcrypt compare',
);

// The event loop and file I/O while each contender is saturated (8 hashes kept in flight).
const file = join(tmpdir(), `start-guard-bench-${process.pid}.txt`);
await writeFile(file, 'x'.repeat(4096));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
async function underLoad(hash, ms) {
  let stop = false;
  const workers = Array.from({ length: 8 }, async () => {
    while (!stop) await hash();
  });
  await sleep(30);
  const end = performance.now() + ms;
  const late = [];
  const io = [];
  let done = 0;
  await Promise.all([
    (async () => {
      let due = performance.now() + 5;
      while (performance.now() < end) {
        await sleep(5);
        const now = performance.now();
        late.push(now - due);
        due = now + 5;
      }
    })(),
    (async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await readFile(file);
        io.push(performance.now() - t0);
        done++;
        await sleep(1);
      }
    })(),
  ]);
  stop = true;
  await Promise.all(workers);
  return { late, io };
}
const loads = {
  idle: null,
  'start-guard hashPassword': () => sg.hashPassword(pw),
  '@node-rs/argon2': () => noders.hash(pw, rsOwasp),
  argon2: () => argon2.hash(pw, peerOwasp),
  'start-guard bcrypt verify': () => sg.verifyPassword(bcStored, pw),
  bcrypt: () => bcrypt.compare(pw, bcStored),
};
const seen = Object.fromEntries(Object.keys(loads).map((k) => [k, { late: [], io: [] }]));
for (let r = 0; r < rounds; r++) {
  for (const [name, hash] of Object.entries(loads)) {
    const { late, io } =
      hash === null ? await underLoad(async () => sleep(50), 600) : await underLoad(hash, 600);
    seen[name].late.push(...late);
    seen[name].io.push(...io);
  }
}
console.log('\nwhile saturated (8 in flight), timer lateness and fs.readFile latency, all rounds pooled');
for (const [name, { late, io }] of Object.entries(seen)) {
  console.log(
    `  ${name.padEnd(28)} event loop p50 ${pct(late, 0.5).toFixed(2)} p99 ${pct(late, 0.99).toFixed(2)} ms   ` +
      `readFile p50 ${pct(io, 0.5).toFixed(3)} p99 ${pct(io, 0.99).toFixed(3)} ms  (n ${io.length})`,
  );
}
await rm(file, { force: true });
