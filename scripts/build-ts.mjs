// Builds the TypeScript: CommonJS implementation (dist/cjs), a thin ESM wrapper over it
// (dist/esm, so there is one copy of every class and store), and the browser build
// (dist/browser) in which lib/native.ts is swapped for lib/native.browser.ts.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const entries = ['index'];

rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], {
  stdio: 'inherit',
});
cpSync(join(root, 'types'), join(root, 'dist/types'), { recursive: true });

mkdirSync(join(root, 'dist/esm'), { recursive: true });
for (const entry of entries) {
  const names = Object.keys(require(join(root, 'dist/cjs', `${entry}.js`))).filter((n) => n !== '__esModule');
  const wrapper = `import cjs from '../cjs/${entry}.js';\n` + `export const { ${names.join(', ')} } = cjs;\n`;
  writeFileSync(join(root, 'dist/esm', `${entry}.mjs`), wrapper);
}

const browserNative = {
  name: 'start-guard-browser-native',
  setup(build) {
    // Every relative import of a `native` module gets its `.browser.ts` twin (lib/native.ts,
    // lib/revocation/native.ts): no binding, no Node built-ins in the browser build.
    build.onResolve({ filter: /^(\.\.?\/)+native$/ }, (args) => ({
      path: join(args.resolveDir, `${args.path}.browser.ts`),
    }));
  },
};
for (const entry of entries) {
  await esbuild.build({
    entryPoints: [join(root, 'lib', `${entry}.ts`)],
    outfile: join(root, 'dist/browser', `${entry}.mjs`),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    plugins: [browserNative],
    logLevel: 'warning',
  });
}

// start-guard/start: ESM only, one file for Node and one for browsers (server.ts swapped for its
// inert twin). `start-guard` (the core, through the package's own exports) and Start's packages
// stay imports, so the app has one copy of each.
execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.start.json')],
  {
    stdio: 'inherit',
  },
);
writeFileSync(join(root, 'dist/start/package.json'), '{ "type": "module" }\n');
const startExternal = ['start-guard', '@tanstack/*'];
// Loaded lazily by the iron migration, from the app's node_modules (a dependency of start-guard).
startExternal.push('iron-webcrypto');
await esbuild.build({
  entryPoints: [join(root, 'lib/start/index.ts')],
  outfile: join(root, 'dist/start/index.js'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: startExternal,
  logLevel: 'warning',
});
const browserServer = {
  name: 'start-guard-browser-server',
  setup(build) {
    build.onResolve({ filter: /^\.\/server\.js$/ }, (args) => ({
      path: join(args.resolveDir, 'server.browser.ts'),
    }));
  },
};
await esbuild.build({
  entryPoints: [join(root, 'lib/start/index.ts')],
  outfile: join(root, 'dist/start/index.browser.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  external: startExternal,
  plugins: [browserServer],
  logLevel: 'warning',
});

// start-guard/testing: the audit (ESM, emitted by tsc as is) and the `start-guard` bin.
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.testing.json')], {
  stdio: 'inherit',
});
writeFileSync(join(root, 'dist/testing/package.json'), '{ "type": "module" }\n');
chmodSync(join(root, 'dist/testing/cli.js'), 0o755);

// start-guard/redis: compiled with the core by tsc (dist/cjs/redis, so it shares the core's error
// class and events), a thin ESM wrapper, and a browser stub that imports the core by name.
{
  const names = Object.keys(require(join(root, 'dist/cjs/redis/index.js'))).filter((n) => n !== '__esModule');
  writeFileSync(
    join(root, 'dist/esm/redis.mjs'),
    `import cjs from '../cjs/redis/index.js';\nexport const { ${names.join(', ')} } = cjs;\n`,
  );
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.redis-browser.json')],
    { stdio: 'inherit' },
  );
  await esbuild.build({
    entryPoints: [join(root, 'lib/redis/index.browser.ts')],
    outfile: join(root, 'dist/browser/redis.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['start-guard'],
    logLevel: 'warning',
  });
}
