// Resident memory per key of one rate limiter, in a process of its own (run by
// bench/ratelimit.mjs): RSS after N distinct keys minus RSS before, after a full GC, over N.
// Usage: node --expose-gc bench/ratelimit-memory.mjs <start-guard|rlf|map> <N>
import { distinctKeys, mapBucket, rateLimiterFlexible, startGuard } from './lib/rate-contenders.mjs';

const [which, nText] = process.argv.slice(2);
const n = Number(nText);
const settle = () => {
  for (let i = 0; i < 3; i++) global.gc();
  return process.memoryUsage();
};

// The keys are made before the first measurement and dropped after: a limiter that keeps key
// strings (the Map, RLF) pays for its copies of them, one that keeps hashes does not.
let keys = distinctKeys(n);
const warm = distinctKeys(1000).map((k) => `warm-${k}`);
let take;
if (which === 'start-guard') {
  const l = startGuard();
  take = (k) => l.takeSync(k);
} else if (which === 'rlf') {
  const l = rateLimiterFlexible();
  take = (k) => l.consume(k);
} else if (which === 'map') {
  const l = mapBucket();
  take = (k) => l.take(k);
} else {
  throw new Error(`unknown contender ${which}`);
}
// Warm up as long as the measured run will last: the JIT, and V8's young generation grown to the
// size the run's short-lived garbage (result objects, promises) will keep it at, so neither
// counts as memory per key.
for (let i = 0; i < n; i++) await take(warm[i % warm.length]);
const before = settle();
for (const k of keys) await take(k);
keys = undefined;
const after = settle();
globalThis.keep = take; // the limiter must stay reachable until measured
console.log(
  JSON.stringify({
    which,
    n,
    rssPerKey: (after.rss - before.rss) / n,
    heapPerKey: (after.heapUsed - before.heapUsed) / n,
  }),
);
process.exit(0); // RLF's timers (unref'd) would not keep it, but do not wait for anything
