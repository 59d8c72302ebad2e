// Rate limiting in process: start-guard's native table (takeSync, and take through a Promise)
// against rate-limiter-flexible's RateLimiterMemory and a hand-written Map of token buckets.
// Throughput on 200k distinct keys (each take a new key: a fresh limiter per round, as under a
// key flood) and on 1,000 hot keys; contenders alternate, round after round, in one process.
// Then resident memory per key, each contender in a process of its own.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distinctKeys, mapBucket, rateLimiterFlexible, startGuard } from './lib/rate-contenders.mjs';
import { fmtOps, median } from './lib/measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.env.ROUNDS ?? 7);
const DISTINCT = 200_000;
const keys = distinctKeys(DISTINCT);
const hot = keys.slice(0, 1000);
console.log(`${rounds} rounds, alternating; ${DISTINCT} takes per sample`);

// Each contender: make() returns { sync?: take(key), async?: take(key) -> Promise }.
const contenders = [
  { name: 'start-guard takeSync', make: startGuard, call: (l, k) => l.takeSync(k) },
  { name: 'start-guard take', make: startGuard, call: (l, k) => l.take(k), isAsync: true },
  // RLF's window of 1 s: its per-key timers fire and clear as they would in production.
  {
    name: 'rate-limiter-flexible',
    make: () => rateLimiterFlexible({ duration: 1 }),
    call: (l, k) => l.consume(k),
    isAsync: true,
  },
  { name: 'hand-written Map bucket', make: mapBucket, call: (l, k) => l.take(k) },
];

// Sanity: each one answers as a limiter (a benchmark of a failing path measures nothing).
for (const c of contenders) {
  const l = c.make();
  const r = await c.call(l, 'check');
  if (r === undefined || r.allowed === false) throw new Error(`${c.name} did not allow a take`);
}

async function sample(c, limiter, keyOf) {
  const t0 = process.hrtime.bigint();
  if (c.isAsync) for (let i = 0; i < DISTINCT; i++) await c.call(limiter, keyOf(i));
  else for (let i = 0; i < DISTINCT; i++) c.call(limiter, keyOf(i));
  return (DISTINCT * 1e9) / Number(process.hrtime.bigint() - t0);
}

async function workload(title, fresh, keyOf) {
  const samples = new Map(contenders.map((c) => [c.name, []]));
  const persistent = new Map(contenders.map((c) => [c.name, c.make()]));
  for (let r = 0; r < rounds + 1; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + r) % contenders.length];
      const ops = await sample(c, fresh ? c.make() : persistent.get(c.name), keyOf);
      if (r > 0) samples.get(c.name).push(ops); // round 0 warms the JIT
    }
  }
  console.log(`\n${title}`);
  const med = new Map([...samples].map(([n, xs]) => [n, median(xs)]));
  for (const [name, xs] of samples) {
    console.log(
      `  ${name.padEnd(26)} ${fmtOps(med.get(name)).padStart(10)} (spread ${fmtOps(Math.min(...xs))}–${fmtOps(Math.max(...xs))})`,
    );
  }
  const ratio = (a, b) => {
    const paired = median(samples.get(a).map((x, i) => x / samples.get(b)[i]));
    return `${(med.get(a) / med.get(b)).toFixed(2)}x (per round ${paired.toFixed(2)}x)`;
  };
  console.log(
    `  takeSync vs rate-limiter-flexible: ${ratio('start-guard takeSync', 'rate-limiter-flexible')}`,
  );
  console.log(`  take     vs rate-limiter-flexible: ${ratio('start-guard take', 'rate-limiter-flexible')}`);
  console.log(
    `  takeSync vs hand-written Map:      ${ratio('start-guard takeSync', 'hand-written Map bucket')}`,
  );
}

await workload('200k distinct keys (a fresh limiter per round: every take a new key)', true, (i) => keys[i]);
await workload('1,000 hot keys (200 takes each per sample)', false, (i) => hot[i % 1000]);

console.log(
  '\nresident memory per key (1,000,000 distinct keys, each contender in its own process; 3 runs, medians)',
);
const N = 1_000_000;
for (const which of ['start-guard', 'map', 'rlf']) {
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', join(here, 'ratelimit-memory.mjs'), which, String(N)],
      {
        encoding: 'utf8',
      },
    );
    runs.push(JSON.parse(out));
  }
  const rss = median(runs.map((r) => r.rssPerKey));
  const heap = median(runs.map((r) => r.heapPerKey));
  console.log(
    `  ${which.padEnd(12)} ${rss.toFixed(1).padStart(7)} B/key resident (JS heap ${heap.toFixed(1)} B/key)`,
  );
}
