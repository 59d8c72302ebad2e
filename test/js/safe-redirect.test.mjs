// safeRedirect: returnTo values that leave the app are refused, whatever their spelling.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeRedirect } from 'start-guard';

test('paths of the app come back (normalized); everything that leaves it is the fallback', () => {
  for (const [input, out] of [
    ['/account', '/account'],
    ['/account?tab=2#x', '/account?tab=2#x'],
    ['/a/../b', '/b'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'], // stays a path here
    ['/ünï', '/%C3%BCn%C3%AF'],
  ]) {
    assert.equal(safeRedirect(input), out, input);
  }
  for (const bad of [
    '//evil.example',
    '//evil.example/x',
    '/\\evil.example',
    '\\\\evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    ' /account',
    '/account ',
    '/\u00a0/evil.example',
    '/\u2028/evil.example',
    '/\u200b/x',
    'https://evil.example',
    'https:evil.example',
    'http:/evil.example',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,x',
    'evil.example',
    '?returnTo=x',
    '',
    'x'.repeat(3000),
    '/' + 'x'.repeat(3000),
    null,
    undefined,
    42,
    { toString: () => '/x' },
  ]) {
    assert.equal(safeRedirect(bad), '/', JSON.stringify(bad));
    assert.equal(safeRedirect(bad, { fallback: '/dashboard' }), '/dashboard');
  }
});

test('absolute URLs only on listed origins; options are checked', () => {
  const opts = { allowedOrigins: ['https://admin.example.com', 'http://localhost:3000'] };
  assert.equal(
    safeRedirect('https://admin.example.com/users?x=1', opts),
    'https://admin.example.com/users?x=1',
  );
  assert.equal(safeRedirect('http://localhost:3000/', opts), 'http://localhost:3000/');
  for (const bad of [
    'https://admin.example.com.evil.example/',
    'https://evil.example/?https://admin.example.com',
    'https://user:pw@admin.example.com/',
    'http://admin.example.com/',
    'https://admin.example.com:444/',
    'http://localhost:3001/',
    'ftp://admin.example.com/',
  ]) {
    assert.equal(safeRedirect(bad, opts), '/', bad);
  }
  assert.throws(() => safeRedirect('/', { allowedOrigins: 'https://a.example' }), TypeError);
  assert.throws(() => safeRedirect('/', { allowedOrigins: ['https://a.example/path'] }), TypeError);
  assert.throws(() => safeRedirect('/', { allowedOrigins: ['not a url'] }), TypeError);
  assert.throws(() => safeRedirect('/', { fallback: 5 }), TypeError);
});
