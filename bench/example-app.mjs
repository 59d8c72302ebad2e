// What start-guard's middleware costs a server function of the example app, in its production
// build: the same handler public (benchOpen) and behind auth.middleware (benchGuarded), added to a
// copy of the example (bench/example-overlay). Both sit under the app's global middleware (CSRF
// check, session middleware, protect: 'all'); with a session cookie the session is read, its
// revocation checked and the user loaded from SQLite.
//
// 1. Server CPU per request: the server's own process.cpuUsage() before and after N requests
//    (autocannon, 16 connections) for three contenders in rotating order, ROUNDS rounds: open
//    (no cookie), open+cookie (the global middleware reads the session), guarded. The costs are
//    paired differences per round, with a 95% confidence interval (t distribution).
// 2. Requests per second under autocannon (DURATION s per run, rotating, RPS_ROUNDS runs).
// 3. Where a guarded request's time goes: a V8 CPU profile of the server under load, self time
//    by package.
// Usage: node bench/example-app.mjs (ROUNDS, REQUESTS, DURATION, CONNECTIONS, RPS_ROUNDS to change).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median } from './lib/measure.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const appDir = join(root, '.cache/example/bench');
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const REQUESTS = Number(process.env.REQUESTS ?? 3000);
const DURATION = Number(process.env.DURATION ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 16);
const RPS_ROUNDS = Number(process.env.RPS_ROUNDS ?? 5);

execFileSync('bash', ['scripts/example-app.sh', appDir], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, EXAMPLE_OVERLAY: join(root, 'bench/example-overlay') },
});
// The end-to-end tests' harness serves the copy (production build, srvx, NODE_ENV=production).
cpSync(join(root, 'test/example/client.mjs'), join(appDir, 'e2e-client.mjs'));
process.env.EXAMPLE_APP_DIR = appDir;
const { demoAccounts, startApp } = await import('../test/example/app.mjs');

async function startServer(nodeArgs = []) {
  const app = await startApp({ nodeArgs, quiet: true });
  const [account] = demoAccounts(app.dataDir);
  const cookie = await app.signIn(account.email, account.password);
  return {
    base: app.base,
    ids: app.ids,
    headers: { 'x-tsr-serverFn': 'true', accept: 'application/json', origin: app.base },
    cookie,
    cpu: async () => (await app.call('benchCpu')).body.result,
    loadUserMicros: async () => (await app.call('benchLoadUser')).body.result,
    stop: () => app.stop(),
  };
}

// The contenders: the public handler without a cookie (no session work at all), the same with the
// session cookie (the global session middleware reads it and loads the user), and the guarded one.
const CONTENDERS = {
  open: { fn: 'benchOpen', cookie: false },
  'open+cookie': { fn: 'benchOpen', cookie: true },
  guarded: { fn: 'benchGuarded', cookie: true },
};

function load(server, name, options) {
  const { fn, cookie } = CONTENDERS[name];
  const headers = { ...server.headers, ...(cookie ? { cookie: server.cookie } : {}) };
  return new Promise((resolve, reject) => {
    autocannon(
      { url: `${server.base}/_serverFn/${server.ids[fn]}`, connections: CONNECTIONS, headers, ...options },
      (err, result) => {
        if (err) return reject(err);
        if (result.non2xx > 0 || result.errors > 0) {
          return reject(new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`));
        }
        resolve(result);
      },
    );
  });
}

// Two-sided 95% t quantiles by degrees of freedom (1..30).
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
function meanCi(xs) {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { mean, half: (T95[Math.min(n - 1, 30) - 1] * sd) / Math.sqrt(n) };
}
const f1 = (x) => x.toFixed(1);

console.log(
  `Node ${process.version}; ${ROUNDS} rounds of ${REQUESTS} requests per function, ${CONNECTIONS} connections (autocannon, loopback)`,
);
const names = Object.keys(CONTENDERS);
const rotate = (r) => names.map((_, k) => names[(k + r) % names.length]);
const server = await startServer();
try {
  // Warm-up: JIT, the SQLite statement cache, the session's first read.
  for (const name of names) await load(server, name, { amount: REQUESTS });

  const cpu = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of rotate(r)) {
      const before = await server.cpu();
      await load(server, name, { amount: REQUESTS });
      const after = await server.cpu();
      cpu[name].push((after - before) / REQUESTS);
    }
  }
  const paired = (a, b) => cpu[a].map((x, i) => x - cpu[b][i]);
  const guarded = median(cpu.guarded);
  console.log('\nServer CPU per request (µs, median of the rounds; min–max):');
  for (const [name, xs] of Object.entries(cpu)) {
    console.log(
      `  ${name.padEnd(12)} ${f1(median(xs)).padStart(6)}  (${f1(Math.min(...xs))}–${f1(Math.max(...xs))})`,
    );
  }
  const report = (label, xs) => {
    const { mean, half } = meanCi(xs);
    console.log(
      `  ${label}: ${f1(mean)} µs ± ${f1(half)} (95% CI over ${xs.length} paired rounds), ` +
        `${((100 * mean) / guarded).toFixed(1)}% of a guarded request`,
    );
  };
  console.log('Differences:');
  report('the middleware in all (guarded - open)', paired('guarded', 'open'));
  report('reading the session and loading the user (open+cookie - open)', paired('open+cookie', 'open'));
  report('auth.middleware on the function (guarded - open+cookie)', paired('guarded', 'open+cookie'));
  console.log(
    `  the app's loadUser alone (one SQLite lookup, a loop timed in the server): ${f1(await server.loadUserMicros())} µs`,
  );

  const rps = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < RPS_ROUNDS; round++) {
    for (const name of rotate(round))
      rps[name].push((await load(server, name, { duration: DURATION })).requests.average);
  }
  console.log(
    `\nRequests per second (autocannon, ${CONNECTIONS} connections, ${DURATION} s a run, ${RPS_ROUNDS} runs each, medians):`,
  );
  const ro = median(rps.open);
  for (const [name, xs] of Object.entries(rps)) {
    console.log(
      `  ${name.padEnd(12)} ${String(Math.round(median(xs))).padStart(5)}/s  (${xs.map(Math.round).join(', ')}): ${(median(xs) / ro).toFixed(2)}x open`,
    );
  }
} finally {
  await server.stop();
}

// Where the time of a guarded request goes: self time by package in a CPU profile of the server.
const profileDir = mkdtempSync(join(tmpdir(), 'start-guard-bench-prof-'));
const profiled = await startServer(['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
try {
  await load(profiled, 'guarded', { duration: DURATION });
} finally {
  await profiled.stop();
}
const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8'));
rmSync(profileDir, { recursive: true, force: true });
const bucketOf = (url, functionName) => {
  if (url === '')
    return functionName === '(idle)'
      ? 'idle'
      : functionName === '(garbage collector)'
        ? 'GC'
        : 'V8 and native (no script)';
  if (url.includes('/node_modules/start-guard/')) return 'start-guard';
  if (url.includes('/node_modules/libsql/') || url.includes('/node_modules/@libsql/'))
    return 'libsql (loadUser)';
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1].startsWith('@tanstack/') ? 'TanStack Start and Router' : pkg[1];
  if (url.includes('/dist/server/')) return 'the app (dist/server)';
  if (url.startsWith('node:')) return 'Node (http, streams, timers)';
  return url;
};
const self = new Map();
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const node = byId.get(profile.samples[i]);
  const b = bucketOf(node.callFrame.url, node.callFrame.functionName);
  self.set(b, (self.get(b) ?? 0) + (dt[i] ?? 0));
}
const busy = [...self].filter(([b]) => b !== 'idle').reduce((a, [, v]) => a + v, 0);
console.log(
  `\nWhere a guarded request's server time goes (V8 CPU profile, ${DURATION} s under load, self time, idle excluded):`,
);
for (const [b, v] of [...self]
  .filter(([k]) => k !== 'idle')
  .sort((a, c) => c[1] - a[1])
  .slice(0, 12)) {
  console.log(`  ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${b}`);
}
