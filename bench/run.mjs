// npm run bench: every benchmark in turn, each in its own process (peers in the same run,
// alternating rounds, medians). Then the C floor: the core's PASETO code called from C.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

console.log(`Node ${process.version}; ${new Date().toISOString()}`);
for (const file of ['sealer.mjs', 'seal-parts.mjs', 'sessions.mjs', 'passwords.mjs']) {
  console.log(`\n===== bench/${file}`);
  run(process.execPath, [join('bench', file)]);
}

console.log('\n===== bench/ratelimit.mjs');
run(process.execPath, [join('bench', 'ratelimit.mjs')]);

console.log('\n===== bench/native/paseto_bench.cpp (the C floor, no Node-API)');
mkdirSync(join(root, 'build/bench'), { recursive: true });
const sources = readdirSync(join(root, 'native/core'))
  .filter((f) => f.endsWith('.cpp') && !/^(argon2|bcrypt|hash_pool)/.test(f))
  .map((f) => join('native/core', f));
run('g++', [
  '-std=c++17',
  '-O2',
  '-Inative/core',
  'bench/native/paseto_bench.cpp',
  ...sources,
  '-lsodium',
  '-o',
  'build/bench/paseto_bench',
]);
run(join(root, 'build/bench/paseto_bench'), []);

console.log("\n===== bench/native/argon2_bench.cpp (the Argon2 engine's C floor, no Node-API)");
run('cmake', ['-S', '.', '-B', 'build/bench-native', '-DCMAKE_BUILD_TYPE=Release']);
run('cmake', ['--build', 'build/bench-native', '--target', 'argon2_bench', '-j2']);
run(join(root, 'build/bench-native/argon2_bench'), []);
console.log('\n===== bench/tokens.mjs');
run(process.execPath, [join('bench', 'tokens.mjs')]);
console.log('\n===== bench/redis.mjs (skipped when redis-server is missing)');
run(process.execPath, [join('bench', 'redis.mjs')]);
console.log('\n===== bench/password-hasher.mjs');
run(process.execPath, [join('bench', 'password-hasher.mjs')]);
console.log('\n===== bench/example-app.mjs (the example app: middleware CPU, requests per second)');
run(process.execPath, [join('bench', 'example-app.mjs')]);
