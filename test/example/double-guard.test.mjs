// The double guard: every server function of the example carries start-guard's middleware itself,
// besides the global protect: 'all'. A build of the same app without protect: 'all'
// (test/example/variant) must keep every non-public function closed all the same.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { core, startApp } from './app.mjs';
import { FUNCTIONS, SAMPLE } from './functions.mjs';

const variantDir = process.env.EXAMPLE_VARIANT_DIR;
if (!variantDir)
  throw new Error('EXAMPLE_VARIANT_DIR is not set: run these tests through scripts/example-e2e.sh');

let app;
before(async () => {
  app = await startApp({ dir: variantDir });
});
after(() => app?.stop());

test('the variant really has no global guard', () => {
  const start = readFileSync(join(variantDir, 'src/start.ts'), 'utf8');
  assert.doesNotMatch(start, /protect/);
  assert.deepEqual(Object.keys(app.ids).sort(), Object.keys(FUNCTIONS).sort());
});

test('without protect: all, every non-public function still answers 401 without a session', async () => {
  for (const [name, { method, public: open }] of Object.entries(FUNCTIONS)) {
    if (open) continue;
    const r = await app.call(name, { method, data: SAMPLE[name] });
    assert.equal(r.status, 401, `${name}: ${r.text}`);
    assert.equal(r.headers.get('x-start-guard-error'), 'ERR_UNAUTHENTICATED', name);
    assert.ok(core.isStartGuardError(r.body?.error, 'ERR_UNAUTHENTICATED'), name);
  }
});

test('and the exposure audit passes on it with the same public list', () => {
  const r = spawnSync(
    process.execPath,
    [
      join(variantDir, 'node_modules/start-guard/dist/testing/cli.js'),
      'audit',
      app.base,
      '--public-file',
      'src/public-server-fns.json',
    ],
    { cwd: variantDir, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
