// safeRedirect: a `returnTo` that can only point back into the app (OWASP Unvalidated Redirects
// and Forwards). A sign-in page that redirects to whatever `returnTo` says is an open redirect;
// the usual hand check ("starts with /") lets "//evil.example", "/\evil.example" and
// "/\t/evil.example" through, which browsers and the URL parser read as another host.
import { invalidArg } from './errors';

export interface SafeRedirectOptions {
  /** Absolute origins that may also be returned to (e.g. "https://admin.example.com"). */
  allowedOrigins?: readonly string[];
  /** What to return for anything refused (default "/"). */
  fallback?: string;
}

// Any control character, any white space, and the backslash: URL parsers drop tabs and newlines
// and read "\" as "/", so a target with one is never what it looks like.
const UNSAFE = /[\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff\\]/;
const MAX_LENGTH = 2048;
// A base that no real request has: a path resolved against it and still on it is a path of ours.
const BASE = 'https://start-guard.invalid';

/**
 * The target when it is a path of this app ("/account?tab=2") or a URL on one of
 * `allowedOrigins`; otherwise `fallback` ("/"). Paths come back normalized ("/a/../b" -> "/b").
 */
export function safeRedirect(target: unknown, options: SafeRedirectOptions = {}): string {
  if (typeof options !== 'object' || options === null) invalidArg('options', 'an object', options);
  const fallback = options.fallback ?? '/';
  if (typeof fallback !== 'string') invalidArg('options.fallback', 'a string', fallback);
  const allowed = allowedOriginsOf(options.allowedOrigins);
  if (typeof target !== 'string' || target.length === 0 || target.length > MAX_LENGTH) return fallback;
  if (UNSAFE.test(target)) return fallback;
  if (target.startsWith('/')) {
    // "//host" and "/\host" are other hosts to a browser; the URL parser agrees (checked below).
    if (target.startsWith('//')) return fallback;
    let url: URL;
    try {
      url = new URL(target, BASE);
    } catch {
      return fallback;
    }
    if (url.origin !== BASE) return fallback;
    return url.pathname + url.search + url.hash;
  }
  // Anything else must be an absolute http(s) URL on a listed origin. Relative paths without a
  // leading "/" ("evil.example", "?x") are refused: they resolve against whatever page is current.
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return fallback;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fallback;
  if (url.username !== '' || url.password !== '') return fallback;
  return allowed.has(url.origin) ? url.href : fallback;
}

function allowedOriginsOf(value: unknown): Set<string> {
  if (value === undefined) return new Set();
  if (!Array.isArray(value)) invalidArg('options.allowedOrigins', 'an array of origins', value);
  const out = new Set<string>();
  for (const [i, origin] of value.entries()) {
    if (typeof origin !== 'string') invalidArg(`options.allowedOrigins[${i}]`, 'a string', origin);
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return invalidArg(
        `options.allowedOrigins[${i}]`,
        'an absolute origin such as "https://app.example"',
        origin,
      );
    }
    if (
      (url.protocol !== 'https:' && url.protocol !== 'http:') ||
      url.origin + '/' !== url.href.replace(/\/?$/, '/')
    ) {
      invalidArg(`options.allowedOrigins[${i}]`, 'an origin (scheme, host and port, no path)', origin);
    }
    out.add(url.origin);
  }
  return out;
}
