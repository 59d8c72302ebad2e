import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { StartGuardError, isStartGuardError } from 'start-guard';

const require = createRequire(import.meta.url);

test('StartGuardError carries code, status, and a message that starts with the code', () => {
  const e = new StartGuardError('ERR_RATE_LIMITED', 'slow down');
  assert.equal(e.code, 'ERR_RATE_LIMITED');
  assert.equal(e.status, 429);
  assert.equal(e.message, 'ERR_RATE_LIMITED: slow down');
  assert.equal(e.name, 'StartGuardError');
  assert.ok(e instanceof Error);
  assert.equal(new StartGuardError('ERR_SERVER_ONLY').status, undefined);
  assert.equal(
    new StartGuardError('ERR_CSRF', 'ERR_CSRF: already prefixed').message,
    'ERR_CSRF: already prefixed',
  );
  assert.equal(new StartGuardError('ERR_FORBIDDEN', 'x', { status: 404 }).status, 404);
});

test('isStartGuardError recognizes the brand, optionally the code, and nothing else', () => {
  const e = new StartGuardError('ERR_FORBIDDEN', 'no');
  assert.equal(isStartGuardError(e), true);
  assert.equal(isStartGuardError(e, 'ERR_FORBIDDEN'), true);
  assert.equal(isStartGuardError(e, 'ERR_CSRF'), false);
  for (const v of [
    null,
    undefined,
    0,
    'ERR_FORBIDDEN',
    new Error('ERR_FORBIDDEN'),
    { code: 'ERR_FORBIDDEN' },
  ]) {
    assert.equal(isStartGuardError(v), false);
  }
});

test('the ESM and CommonJS entries share one implementation (one error class)', () => {
  const cjs = require('start-guard');
  assert.equal(cjs.StartGuardError, StartGuardError);
  assert.equal(cjs.isStartGuardError, isStartGuardError);
});
