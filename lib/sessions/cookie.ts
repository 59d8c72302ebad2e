// The session cookie on the wire: reading it from a Cookie header and writing Set-Cookie, with
// the `cookie` package doing the parsing and serialization.
import { parseCookie, stringifySetCookie } from 'cookie';
import { StartGuardError, invalidArg } from '../errors';
import { isProduction } from '../env';

/** Attribute overrides for the session cookie. */
export interface SessionCookieOptions {
  domain?: string;
  path?: string;
  sameSite?: 'lax' | 'strict' | 'none';
  httpOnly?: boolean;
  secure?: boolean;
  partitioned?: boolean;
  /**
   * Plain-HTTP development on localhost: drops `Secure` (and so the `__Host-` prefix). Refused
   * when NODE_ENV=production.
   */
  insecureDevelopment?: boolean;
}

export interface CookieAttributes {
  domain?: string;
  path: string;
  sameSite: 'lax' | 'strict' | 'none';
  httpOnly: boolean;
  secure: boolean;
  partitioned?: boolean;
}

/** Browsers refuse a cookie whose name and value together exceed 4096 bytes (RFC 6265bis). */
export const MAX_COOKIE_BYTES = 4096;

export function resolveCookie(name: string, options: SessionCookieOptions = {}): CookieAttributes {
  if (typeof options !== 'object' || options === null) invalidArg('cookie', 'an object', options);
  const insecure = options.insecureDevelopment === true;
  const bad = (why: string) => new StartGuardError('ERR_INVALID_OPTION', `cookie "${name}": ${why}`);
  const sameSite =
    typeof options.sameSite === 'string' ? options.sameSite.toLowerCase() : (options.sameSite ?? 'lax');
  if (sameSite !== 'lax' && sameSite !== 'strict' && sameSite !== 'none')
    throw bad('sameSite must be lax, strict or none');
  const attrs: CookieAttributes = {
    path: options.path ?? '/',
    sameSite,
    httpOnly: options.httpOnly ?? true,
    secure: insecure ? false : (options.secure ?? true),
  };
  if (options.domain !== undefined) attrs.domain = options.domain;
  if (options.partitioned !== undefined) attrs.partitioned = options.partitioned;
  // Plain-HTTP cookies are a development convenience, never a production setting, whichever
  // option asked for them.
  if (!attrs.secure && isProduction()) {
    throw new StartGuardError(
      'ERR_INSECURE_IN_PRODUCTION',
      'a session cookie without Secure (cookie.insecureDevelopment or cookie.secure: false) refuses to run with NODE_ENV=production',
    );
  }
  // Prefix rules (RFC 6265bis §4.1.3): browsers drop cookies that break them, silently.
  if (name.startsWith('__Host-')) {
    if (!attrs.secure) throw bad('the __Host- prefix needs Secure (in development, use another cookieName)');
    if (attrs.domain !== undefined) throw bad('the __Host- prefix forbids Domain');
    if (attrs.path !== '/') throw bad('the __Host- prefix needs Path=/');
  }
  if (name.startsWith('__Secure-') && !attrs.secure) throw bad('the __Secure- prefix needs Secure');
  if (attrs.sameSite === 'none' && !attrs.secure) throw bad('SameSite=None needs Secure');
  // Serialize once now, so a bad domain or path fails at start-up rather than on every sign-in.
  try {
    stringifySetCookie({ name, value: 'x', ...attrs });
  } catch (cause) {
    throw new StartGuardError('ERR_INVALID_OPTION', `cookie "${name}": ${(cause as Error).message}`, {
      cause,
    });
  }
  return attrs;
}

/**
 * The one value of `name` in a Cookie header, or null. Two cookies of that name (a sibling
 * subdomain can plant one; parsers keep the first silently), an empty value, or a header that is
 * not a string all read as no cookie.
 */
export function readCookie(header: unknown, name: string): string | null {
  if (typeof header !== 'string' || header.length === 0) return null;
  let count = 0;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name && ++count > 1) return null;
  }
  if (count !== 1) return null;
  let value: string | undefined;
  try {
    // No percent-decoding: a token is plain base64url, so "%76%34…" is not another spelling of it.
    value = parseCookie(header, { decode: (v) => v })[name];
  } catch {
    return null;
  }
  return value === undefined || value === '' ? null : value;
}

/** Set-Cookie for the session; `maxAge` in seconds (undefined: a browser-session cookie). */
export function sessionSetCookie(
  name: string,
  value: string,
  attrs: CookieAttributes,
  maxAge?: number,
): string {
  if (Buffer.byteLength(name) + Buffer.byteLength(value) > MAX_COOKIE_BYTES) {
    throw new StartGuardError(
      'ERR_COOKIE_TOO_LARGE',
      `the session cookie would be ${name.length + value.length} bytes, over the browsers' ${MAX_COOKIE_BYTES}: keep session data small`,
    );
  }
  return stringifySetCookie({ name, value, ...attrs, ...(maxAge === undefined ? {} : { maxAge }) });
}

/** Set-Cookie that removes the session cookie. */
export function clearSetCookie(name: string, attrs: CookieAttributes): string {
  return stringifySetCookie({ name, value: '', ...attrs, maxAge: 0, expires: new Date(0) });
}
