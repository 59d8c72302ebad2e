// The device cookie of OWASP's "device cookies" (Authentication Cheat Sheet): set after a
// successful password sign-in, it proves on the next one that this browser signed in to this
// identifier before, so loginLimits lets it past the client's own bucket that a neighbour behind
// the same shared address may have emptied. Sealed with the session manager's keys under a purpose
// of its own (a session token is no device cookie, nor the reverse); it binds the normalized
// identifier only and carries no session: it signs nobody in.
import { type CookieAttributes, readCookie, sessionSetCookie } from './cookie';
import type { Sealer } from '../sealer';

/** The sealer purpose of device cookies. */
const DEVICE_PURPOSE = 'start-guard/device/v1';
/** How long a browser stays known after its last successful sign-in (OWASP suggests months). */
export const DEVICE_COOKIE_SECONDS = 180 * 86400;

export interface DeviceCookies {
  /** The cookie's name: the session cookie's, `-device` appended (so its prefix is kept). */
  readonly name: string;
  /** Set-Cookie after a successful sign-in to `identifier` (normalized). */
  setCookie(identifier: string): string;
  /** Whether the request's Cookie header holds a valid device cookie for `identifier`. */
  known(cookieHeader: unknown, identifier: string): boolean;
}

export function deviceCookies(
  sealer: Sealer,
  sessionCookieName: string,
  session: CookieAttributes,
): DeviceCookies {
  const name = `${sessionCookieName}-device`;
  // Host-only, on every path, never readable by scripts, sent on top-level navigations only.
  const attrs: CookieAttributes = { path: '/', sameSite: 'lax', httpOnly: true, secure: session.secure };
  return {
    name,
    setCookie(identifier: string): string {
      const token = sealer.seal({ i: identifier }, { ttl: DEVICE_COOKIE_SECONDS, purpose: DEVICE_PURPOSE });
      return sessionSetCookie(name, token, attrs, DEVICE_COOKIE_SECONDS);
    },
    known(cookieHeader: unknown, identifier: string): boolean {
      const token = readCookie(cookieHeader, name);
      if (token === null) return false;
      const value = sealer.unseal<{ i?: unknown }>(token, { purpose: DEVICE_PURPOSE });
      return typeof value === 'object' && value !== null && value.i === identifier;
    },
  };
}
