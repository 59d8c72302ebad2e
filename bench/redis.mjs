// start-guard/redis against rate-limiter-flexible's RateLimiterRedis on the same redis-server
// and the same node-redis client: takes per second for one caller (each take awaited: the round
// trip is the cost) and for 8 concurrent callers (node-redis pipelines their commands), on 1,000
// hot keys. Two PINGs through the same client: with node-redis's defaults, and the floor (no command
// timeout, as start-guard sends while replies flow). Each figure comes with this
// process's CPU time per operation (the client's share), and Redis's own time per script call is
// read from INFO commandstats (the server's share), then broken down by part. Then the revocation check
// (isRevoked: one MGET) against the in-process memory store, the figure behind
// the README's latency-versus-staleness note. Contenders alternate, round after round; medians.
import { execFileSync } from 'node:child_process';
import { hash } from 'node:crypto';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { createClient } from 'redis';
import { createMemoryRevocationStore, createRateLimiter } from 'start-guard';
import { createRedisRateLimitStore, createRedisRevocationStore } from 'start-guard/redis';
import { startRedis } from '../test/redis/support/redis-server.mjs';
import { createRequire } from 'node:module';
import { fmtOps, median } from './lib/measure.mjs';

try {
  execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
} catch {
  console.log('skipped: redis-server is not installed (Debian: apt-get install redis-server)');
  process.exit(0);
}

const rounds = Number(process.env.ROUNDS ?? 7);
const { RATE_SCRIPT } = createRequire(import.meta.url)('../dist/cjs/redis/rate-script.js');

// node-redis gives every command a 5 s timeout by default (an AbortSignal and a timer each);
// start-guard's link passes none while replies come back (lib/redis/client.ts): the floor is a
// PING without it, and the PING with the defaults is what a plain command costs an application.
const NO_TIMEOUT = { timeout: 0 };
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
  { name: 'PING (node-redis defaults)', call: () => client.ping() },
  { name: 'PING, no command timeout (floor)', call: () => client.sendCommand(['PING'], NO_TIMEOUT) },
];

// Sanity: each one answers (a benchmark of a failing path measures nothing).
if (!(await sg.take('check')).allowed) throw new Error('start-guard refused');
if ((await rlf.consume('check')).remainingPoints !== CAPACITY - 1) throw new Error('RLF did not count');

// Each sample also records this process's CPU time per operation (user + system: our JavaScript,
// node-redis's, the socket's system calls), the client's share of the cost.
async function sample(call, callers) {
  let next = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < TAKES) {
        const i = next++;
        await call(keys[i % keys.length]);
      }
    }),
  );
  const ops = (TAKES * 1e9) / Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(c0);
  return { ops, cpuUs: (cpu.user + cpu.system) / TAKES };
}

async function workload(title, contenders, callers, baseline, peers) {
  const samples = new Map(contenders.map((c) => [c.name, []]));
  const cpu = new Map(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds + 1; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + r) % contenders.length];
      const s = await sample(c.call, callers);
      if (r === 0) continue; // round 0 warms the JIT and the connection
      samples.get(c.name).push(s.ops);
      cpu.get(c.name).push(s.cpuUs);
    }
  }
  console.log(`\n${title}`);
  const med = new Map([...samples].map(([n, xs]) => [n, median(xs)]));
  for (const [name, xs] of samples) {
    console.log(
      `  ${name.padEnd(36)} ${fmtOps(med.get(name)).padStart(10)} (${(1e6 / med.get(name)).toFixed(1)} µs/op; spread ${fmtOps(Math.min(...xs))}–${fmtOps(Math.max(...xs))}; client CPU ${median(cpu.get(name)).toFixed(1)} µs/op)`,
    );
  }
  for (const peer of peers) {
    const paired = median(samples.get(baseline).map((x, i) => x / samples.get(peer)[i]));
    console.log(
      `  ${baseline} vs ${peer}: ${(med.get(baseline) / med.get(peer)).toFixed(2)}x (per round ${paired.toFixed(2)}x)`,
    );
  }
}

const ratePeers = [
  'rate-limiter-flexible (Redis)',
  'PING (node-redis defaults)',
  'PING, no command timeout (floor)',
];
await workload('takes, 1 caller (each awaited)', rateContenders, 1, 'start-guard/redis take', ratePeers);
await workload('takes, 8 concurrent callers', rateContenders, 8, 'start-guard/redis take', ratePeers);

// Where the server's share goes: Redis's own time per script call (INFO commandstats, reset
// before each sample), ours (EVALSHA) against rate-limiter-flexible's (EVAL, which also hashes its
// script's text on every call), alternating; medians.
const serverUs = { evalsha: [], eval: [] };
for (let r = 0; r < rounds; r++) {
  for (const [cmd, call] of r % 2
    ? [
        ['eval', (k) => rlf.consume(k)],
        ['evalsha', (k) => sg.take(k)],
      ]
    : [
        ['evalsha', (k) => sg.take(k)],
        ['eval', (k) => rlf.consume(k)],
      ]) {
    await client.configResetStat();
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = w; i < 2000; i += 8) await call(keys[i % keys.length]);
      }),
    );
    const stats = await client.info('commandstats');
    serverUs[cmd].push(Number(stats.match(new RegExp(`cmdstat_${cmd}:.*usec_per_call=([\\d.]+)`))[1]));
  }
}
// The client's share that is ours alone: the key's digest (SHA-256 by crypto.hash, as the store
// computes it), per call.
const digestNs = (() => {
  const xs = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 100_000; i++) hash('sha256', keys[i % keys.length], 'base64url').slice(0, 22);
    xs.push(Number(process.hrtime.bigint() - t0) / 100_000);
  }
  return median(xs);
})();
console.log(
  `\nRedis time per call: start-guard's script (EVALSHA) ${median(serverUs.evalsha).toFixed(2)} µs, ` +
    `rate-limiter-flexible's (EVAL) ${median(serverUs.eval).toFixed(2)} µs; ` +
    `start-guard's key digest ${(digestNs / 1000).toFixed(2)} µs per call in this process`,
);

// What a script's parts cost Redis: the production script against scripts stripped to its
// commands (EVALSHA of `return 1`, then TIME, GET and SET … PX added), and rate-limiter-flexible's
// script run by EVALSHA too; same keys and arguments as a take, alternating; medians.
// rate-limiter-flexible's script, as RateLimiterRedis sends it with EVAL on every call.
const RLF_SCRIPT = rlf._incrTtlLuaScript;
if (typeof RLF_SCRIPT !== 'string' || !RLF_SCRIPT.includes('incrby'))
  throw new Error("rate-limiter-flexible's script moved");
const stripped = [
  ['start-guard take (the script)', RATE_SCRIPT],
  ['EVALSHA of return 1', 'return 1'],
  ['+ TIME', "local t = redis.call('TIME') return 1"],
  ['+ TIME, GET', "local t = redis.call('TIME') local v = redis.call('GET', KEYS[1]) return 1"],
  [
    '+ TIME, GET, SET … PX',
    "local t = redis.call('TIME') local v = redis.call('GET', KEYS[1]) " +
      "redis.call('SET', KEYS[1], '0123456789abcdef', 'PX', '100000') return 1",
  ],
  ["rate-limiter-flexible's script, by EVALSHA", RLF_SCRIPT],
];
const shas = [];
for (const [, source] of stripped) shas.push(await client.scriptLoad(source));
const partUs = stripped.map(() => []);
const takeArgs = ['t', '1000000000', String(1e9 * 1e9)]; // 1 token of a 1/s bucket of 1e9
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < stripped.length; k++) {
    const j = (k + r) % stripped.length;
    const args = j === stripped.length - 1 ? ['1', '60', String(CAPACITY), '60'] : takeArgs;
    await client.configResetStat();
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = w; i < 2000; i += 8)
          await client.sendCommand(['EVALSHA', shas[j], '1', `parts:${j}:${i % 1000}`, ...args], NO_TIMEOUT);
      }),
    );
    const stats = await client.info('commandstats');
    partUs[j].push(Number(stats.match(/cmdstat_evalsha:.*usec_per_call=([\d.]+)/)[1]));
  }
}
console.log('Redis time per call, by part:');
for (let j = 0; j < stripped.length; j++)
  console.log(`  ${stripped[j][0].padEnd(44)} ${median(partUs[j]).toFixed(2)} µs`);

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
  { name: 'PING (node-redis defaults)', call: () => client.ping() },
  { name: 'PING, no command timeout (floor)', call: () => client.sendCommand(['PING'], NO_TIMEOUT) },
];
const revocationPeers = [
  'memory isRevoked (in process)',
  'two GETs, client-side cache',
  'PING (node-redis defaults)',
  'PING, no command timeout (floor)',
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
