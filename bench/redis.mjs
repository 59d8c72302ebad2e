// start-guard/redis against rate-limiter-flexible's RateLimiterRedis on the same redis-server
// and the same node-redis client: takes per second for one caller (each take awaited: the round
// trip is the cost) and for 8 concurrent callers (node-redis pipelines their commands), on 1,000
// hot keys. The floor is a bare PING through the same client. Then the revocation check
// (isRevoked: one MGET) against the in-process memory store, the figure behind
// the README's latency-versus-staleness note. Contenders alternate, round after round; medians.
import { execFileSync } from 'node:child_process';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { createClient } from 'redis';
import { createMemoryRevocationStore, createRateLimiter } from 'start-guard';
import { createRedisRateLimitStore, createRedisRevocationStore } from 'start-guard/redis';
import { startRedis } from '../test/redis/support/redis-server.mjs';
import { fmtOps, median } from './lib/measure.mjs';

try {
  execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
} catch {
  console.log('skipped: redis-server is not installed (Debian: apt-get install redis-server)');
  process.exit(0);
}

const rounds = Number(process.env.ROUNDS ?? 7);
const TAKES = Number(process.env.TAKES ?? 4000);
const CAPACITY = 1e9; // never refused: RLF rejects its promise on a refusal, another code path
const keys = Array.from({ length: 1000 }, (_, i) => `203.0.113.${i % 250}:${i}`);

const redis = await startRedis();
const client = createClient({ url: redis.url });
client.on('error', () => {});
await client.connect();
console.log(
  `redis-server on loopback (${(await client.info('server')).match(/redis_version:(\S+)/)[1]}), node-redis ${
    (await import('redis/package.json', { with: { type: 'json' } }).catch(() => ({ default: {} }))).default
      .version ?? ''
  }; ${rounds} rounds, alternating; ${TAKES} operations per sample`,
);

const sg = createRateLimiter({
  name: 'bench',
  store: createRedisRateLimitStore({ client, timeoutMs: 5000 }),
  capacity: CAPACITY,
  refillPerSecond: 1,
});
const rlf = new RateLimiterRedis({
  storeClient: client,
  useRedisPackage: true,
  points: CAPACITY,
  duration: 60,
});
const rateContenders = [
  { name: 'start-guard/redis take', call: (k) => sg.take(k) },
  { name: 'rate-limiter-flexible (Redis)', call: (k) => rlf.consume(k) },
  { name: 'PING (one round trip, the floor)', call: () => client.ping() },
];

// Sanity: each one answers (a benchmark of a failing path measures nothing).
if (!(await sg.take('check')).allowed) throw new Error('start-guard refused');
if ((await rlf.consume('check')).remainingPoints !== CAPACITY - 1) throw new Error('RLF did not count');

async function sample(call, callers) {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < TAKES) {
        const i = next++;
        await call(keys[i % keys.length]);
      }
    }),
  );
  return (TAKES * 1e9) / Number(process.hrtime.bigint() - t0);
}

async function workload(title, contenders, callers, baseline, peers) {
  const samples = new Map(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds + 1; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + r) % contenders.length];
      const ops = await sample(c.call, callers);
      if (r > 0) samples.get(c.name).push(ops); // round 0 warms the JIT and the connection
    }
  }
  console.log(`\n${title}`);
  const med = new Map([...samples].map(([n, xs]) => [n, median(xs)]));
  for (const [name, xs] of samples) {
    console.log(
      `  ${name.padEnd(34)} ${fmtOps(med.get(name)).padStart(10)} (${(1e6 / med.get(name)).toFixed(1)} µs/op; spread ${fmtOps(Math.min(...xs))}–${fmtOps(Math.max(...xs))})`,
    );
  }
  for (const peer of peers) {
    const paired = median(samples.get(baseline).map((x, i) => x / samples.get(peer)[i]));
    console.log(
      `  ${baseline} vs ${peer}: ${(med.get(baseline) / med.get(peer)).toFixed(2)}x (per round ${paired.toFixed(2)}x)`,
    );
  }
}

await workload('takes, 1 caller (each awaited)', rateContenders, 1, 'start-guard/redis take', [
  'rate-limiter-flexible (Redis)',
  'PING (one round trip, the floor)',
]);
await workload('takes, 8 concurrent callers', rateContenders, 8, 'start-guard/redis take', [
  'rate-limiter-flexible (Redis)',
  'PING (one round trip, the floor)',
]);

// Where the server's share goes: Redis's own time per script call (INFO commandstats), ours
// (EVALSHA) against rate-limiter-flexible's (EVAL), 5,000 calls each.
await client.configResetStat();
for (let i = 0; i < 5000; i++) await sg.take(keys[i % keys.length]);
for (let i = 0; i < 5000; i++) await rlf.consume(keys[i % keys.length]);
const stats = await client.info('commandstats');
const perCall = (cmd) => stats.match(new RegExp(`cmdstat_${cmd}:.*usec_per_call=([\\d.]+)`))?.[1];
console.log(
  `\nRedis time per call: start-guard's script (EVALSHA) ${perCall('evalsha')} µs, ` +
    `rate-limiter-flexible's (EVAL) ${perCall('eval')} µs`,
);

const revocation = createRedisRevocationStore({ client, timeoutMs: 5000 });
const memory = createMemoryRevocationStore();
const nowS = Math.floor(Date.now() / 1000);
for (let i = 0; i < 1000; i += 2) {
  await revocation.revoke(`sid-${i}`, nowS + 3600);
  await memory.revoke(`sid-${i}`, nowS + 3600);
}
const session = (i) => ({ id: `sid-${i % 1000}`, userId: `user-${i % 97}`, createdAtMs: Date.now() });
// The option the README weighs: a local cache kept fresh by Redis's invalidation messages
// (node-redis's client-side cache, RESP3). Not what the store does; measured to say what it
// would buy: the same two GETs as isRevoked, served from the cache when warm.
const cached = createClient({ url: redis.url, RESP: 3, clientSideCache: { ttl: 0, maxEntries: 100_000 } });
cached.on('error', () => {});
await cached.connect();
const cachedKeys = (await client.keys('start-guard:rv:*')).slice(0, 200);
let n = 0;
const revocationContenders = [
  { name: 'Redis isRevoked', call: () => revocation.isRevoked(session(n++)) },
  { name: 'memory isRevoked (in process)', call: () => memory.isRevoked(session(n++)) },
  {
    name: 'two GETs, client-side cache',
    call: () => Promise.all([cached.get(cachedKeys[n++ % 200]), cached.get(cachedKeys[n++ % 200])]),
  },
  { name: 'PING (one round trip, the floor)', call: () => client.ping() },
];
const revocationPeers = [
  'memory isRevoked (in process)',
  'two GETs, client-side cache',
  'PING (one round trip, the floor)',
];
await workload('revocation checks, 1 caller', revocationContenders, 1, 'Redis isRevoked', revocationPeers);
await workload(
  'revocation checks, 8 concurrent callers',
  revocationContenders,
  8,
  'Redis isRevoked',
  revocationPeers,
);

// The cache's price is staleness: how long after another client's write is acknowledged does
// the cached client still read the old value? (Here the invalidation and the reply share one
// loopback host; across a network they race.)
const stale = [];
for (let i = 0; i < 50; i++) {
  await cached.get('stale-probe');
  await client.set('stale-probe', String(i));
  const t0 = performance.now();
  let reads = 0;
  while ((await cached.get('stale-probe')) !== String(i)) {
    reads++;
    await new Promise(setImmediate); // let the invalidation message in
  }
  stale.push({ ms: performance.now() - t0, reads });
}
console.log(
  `\nclient-side cache, 50 writes by another client: stale reads after the write was acknowledged: ` +
    `${stale.filter((s) => s.reads > 0).length} of 50 writes had any (most ${Math.max(...stale.map((s) => s.reads))}, ` +
    `longest ${Math.max(...stale.map((s) => s.ms)).toFixed(2)} ms)`,
);
await cached.close();

await client.close();
await redis.stop();
