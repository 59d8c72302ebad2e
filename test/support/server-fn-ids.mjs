// Server-function ids by export name, read from a Start production build's manifest
// (dist/server/server.js): what a caller of /_serverFn/<id> needs. Shared by the test app's
// and the example's end-to-end tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function serverFnIdsIn(dir) {
  const text = readFileSync(join(dir, 'dist/server/server.js'), 'utf8');
  const ids = {};
  for (const m of text.matchAll(/"([0-9a-f]{64})":\s*\{\s*functionName:\s*"(\w+)_createServerFn_handler"/g)) {
    ids[m[2]] = m[1];
  }
  return ids;
}
