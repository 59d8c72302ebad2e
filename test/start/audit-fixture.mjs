// Hand-made builds for the exposure audit's discovery: a dist/server/server.js holding Start's
// resolver (its manifest and the "not found" error it throws), the sources it names, and a record.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Start's default id for `file#name`: sha256 of `${file}--${name}_createServerFn_handler`. */
export function defaultId(file, name) {
  return createHash('sha256').update(`${file}--${name}_createServerFn_handler`).digest('hex');
}

/** The resolver module as Start 1.169's generator writes it, for [id, functionName] entries. */
export function resolverModule(entries) {
  const manifest = entries
    .map(
      ([id, functionName]) =>
        `  '${id}': {\n    functionName: '${functionName}',\n    importer: () => import('./assets/fns.js')\n  }`,
    )
    .join(',\n');
  return (
    `const manifest = {\n${manifest}\n}\n` +
    'export async function getServerFnById(id) {\n  const serverFnInfo = manifest[id]\n' +
    "  if (!serverFnInfo) throw new Error('Server function info not found for ' + id)\n" +
    '  return (await serverFnInfo.importer())[serverFnInfo.functionName]\n}\n'
  );
}

/**
 * A build in a new temporary folder: `server` is server.js's text, `sources` maps files to their
 * text ('createServerFn' is added so source hashing considers them), `record` the record's functions.
 */
export function fixtureBuild({ server, sources = {}, record }) {
  const root = mkdtempSync(join(tmpdir(), 'start-guard-audit-'));
  mkdirSync(join(root, 'dist/server'), { recursive: true });
  writeFileSync(join(root, 'dist/server/server.js'), server);
  for (const [file, text] of Object.entries(sources)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), `import { createServerFn } from '@tanstack/react-start';\n${text}`);
  }
  if (record !== undefined) {
    mkdirSync(join(root, '.start-guard'));
    writeFileSync(
      join(root, '.start-guard/server-fns.json'),
      JSON.stringify({ format: 'start-guard/server-fns/v1', root, functions: record }),
    );
  }
  return root;
}

/**
 * A production build of the test app (START_APP_DIR) in `dir`, with the files of `overlay` laid
 * over its sources: a variant sharing the app's node_modules.
 */
export function buildAppVariant(appDir, dir, overlay) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  for (const name of ['package.json', 'tsconfig.json', 'vite.config.ts', 'src', 'test-client.mjs']) {
    cpSync(join(appDir, name), join(dir, name), { recursive: true });
  }
  rmSync(join(dir, 'src/routeTree.gen.ts'), { force: true });
  symlinkSync(join(appDir, 'node_modules'), join(dir, 'node_modules'), 'dir');
  cpSync(overlay, dir, { recursive: true });
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}
