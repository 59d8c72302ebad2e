// Migration from iron-sealed cookies (`Fe26.2`): iron-session's, or the `start` cookie of Start's
// useSession (removed in 1.169). A request that carries the old cookie and no start-guard cookie
// gets a start-guard session for the same user, and the old cookie is cleared in the same
// response. The session counts as created when the old seal was made (expiry − ttl), so a
// "sign out everywhere" watermark covers every copy of the old cookie, and its id is derived from
// the seal, so signing out that one session also stops its old cookie from migrating again (an
// iron seal cannot be revoked by itself). authTime is 0: a step-up check always asks again.
// iron-webcrypto is imported on the first migration only, and never in a client bundle.
import { createHash } from 'node:crypto';
import { StartGuardError, isStartGuardError } from 'start-guard';
import type { IssuedSession, ReadSession } from 'start-guard';
import type { AuthCore } from './core.js';
import { server } from './respond.js';
import { internalsOf } from './session-internals.js';

/** What createAuth({ migrate: { iron } }) takes. */
export interface IronMigrationOptions<TData = unknown> {
  /** The iron password (32 characters or more), or iron-session's map of ids to passwords. */
  password: string | Readonly<Record<string, string>>;
  /** The old cookie's name; default `start` (Start's useSession). */
  cookieName?: string;
  /**
   * The seal's lifetime in seconds: iron-session's `ttl` (14 days unless set), or useSession's
   * `maxAge` (0 if it had none: the session's own `createdAt` is used then).
   */
  ttlSeconds: number;
  /** When migration ends (epoch seconds, or a Date): from then on the old cookie is ignored. */
  until: number | Date;
  /**
   * The old session's content → the new session's user and data; null: not signed in. Default:
   * `userId` (a string or a number) and the other fields as data, taken from iron-session's object
   * or from the `data` of useSession's `{ id, createdAt, data }`.
   */
  toSession?: (
    value: unknown,
    info: { format: 'iron-session' | 'start' },
  ) => MigratedSession<TData> | null | undefined | Promise<MigratedSession<TData> | null | undefined>;
  /** PBKDF2 iterations of the seal: iron's default, 1, unless the old app changed it. */
  iterations?: number;
  /** The old cookie's Path and Domain, to clear it (default Path=/, no Domain). */
  cookie?: { path?: string; domain?: string };
}

export interface MigratedSession<TData> {
  userId: string;
  data: TData;
}

export interface IronMigration {
  passwords: string | Record<string, string>;
  cookieName: string;
  ttlMs: number;
  untilMs: number;
  toSession: NonNullable<IronMigrationOptions['toSession']>;
  iterations: number;
  path: string;
  domain: string | undefined;
}

const MIN_IRON_PASSWORD = 32; // iron's own minimum
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const COOKIE_ATTRIBUTE = /^[\x21-\x3a\x3c-\x7e]+$/; // no ';', no white space, no control characters
const MAX_COOKIE_BYTES = 4096;

const bad = (why: string) => new StartGuardError('ERR_INVALID_OPTION', `migrate.iron: ${why}`);

/** Checks createAuth's migrate option (on the server: in the browser build it is not read). */
export function resolveMigration(option: unknown, sessionsCookie: string): IronMigration | undefined {
  if (option === undefined) return undefined;
  if (typeof option !== 'object' || option === null)
    throw new TypeError('The "migrate" option must be an object');
  const keys = Object.keys(option);
  if (keys.length !== 1 || keys[0] !== 'iron')
    throw bad('migrate takes { iron: { … } } (the only source for now)');
  const o = (option as { iron: unknown }).iron as IronMigrationOptions;
  if (typeof o !== 'object' || o === null) throw new TypeError('The "migrate.iron" option must be an object');

  const passwords = o.password;
  const list = typeof passwords === 'string' ? [passwords] : Object.values(passwords ?? {});
  if (
    (typeof passwords !== 'string' && (typeof passwords !== 'object' || passwords === null)) ||
    list.length === 0 ||
    list.some((p) => typeof p !== 'string' || p.length < MIN_IRON_PASSWORD)
  ) {
    throw bad(
      `password must be a string of ${MIN_IRON_PASSWORD} characters or more, or a map of ids to such strings`,
    );
  }
  // iron-webcrypto uses the password's UTF-8 bytes, where every lone surrogate becomes U+FFFD: an
  // ill-formed password would open seals made under a public one (as start-guard's own secrets).
  if (list.some((p) => !(p as string & { isWellFormed(): boolean }).isWellFormed()))
    throw bad('password must be a well-formed string (it holds a lone surrogate, which UTF-8 cannot encode)');
  const cookieName = o.cookieName ?? 'start';
  if (typeof cookieName !== 'string' || !COOKIE_NAME.test(cookieName))
    throw bad('cookieName must be a cookie name');
  if (cookieName === sessionsCookie)
    throw bad("cookieName must differ from the session manager's cookieName");
  const ttl = o.ttlSeconds;
  if (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl < 0) {
    throw bad('ttlSeconds must be the old seal lifetime in whole seconds (0 if the seals had none)');
  }
  const untilMs =
    o.until instanceof Date ? o.until.getTime() : typeof o.until === 'number' ? o.until * 1000 : NaN;
  // Epoch seconds; milliseconds would put the end of the migration thousands of years away.
  if (!Number.isFinite(untilMs) || untilMs < 1e12 || untilMs >= 1e14) {
    throw bad('until must be a Date or epoch seconds: migration must end');
  }
  if (o.toSession !== undefined && typeof o.toSession !== 'function')
    throw bad('toSession must be a function');
  const iterations = o.iterations ?? 1;
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw bad('iterations must be a positive integer');
  const path = o.cookie?.path ?? '/';
  const domain = o.cookie?.domain;
  if (typeof path !== 'string' || !path.startsWith('/') || !COOKIE_ATTRIBUTE.test(path)) {
    throw bad('cookie.path must be a path');
  }
  if (domain !== undefined && (typeof domain !== 'string' || !COOKIE_ATTRIBUTE.test(domain))) {
    throw bad('cookie.domain must be a domain');
  }
  return {
    passwords: typeof passwords === 'string' ? passwords : { ...passwords },
    cookieName,
    ttlMs: ttl * 1000,
    untilMs,
    toSession: o.toSession ?? defaultToSession,
    iterations,
    path,
    domain,
  };
}

/** Whether this request carries the old cookie while migration is on. */
export function hasIronCookie(core: AuthCore, request: Request): boolean {
  const m = core.migrate;
  if (m === undefined || Date.now() >= m.untilMs) return false;
  const header = request.headers.get('cookie');
  return header !== null && header.includes(`${m.cookieName}=`);
}

type Iron = typeof import('iron-webcrypto');
let ironModule: Promise<Iron> | undefined;
const iron = () => (ironModule ??= import('iron-webcrypto'));

/**
 * The start-guard session for the old cookie, with its Set-Cookie, or null (no old cookie, a bad
 * or expired seal, no user in it, past the absolute timeout, or signed out already).
 */
export async function migrateIron(core: AuthCore, request: Request): Promise<ReadSession<unknown> | null> {
  const m = core.migrate;
  if (m === undefined) return null;
  const now = Date.now();
  if (now >= m.untilMs) return null;
  const raw = oneCookie(request.headers.get('cookie'), m.cookieName);
  if (raw === null || raw.length + m.cookieName.length > MAX_COOKIE_BYTES) return null;
  // iron-session appends its format version (`~2`) to the seal.
  const sealed = raw.replace(/~\d{1,3}$/, '');
  const parts = sealed.split('*');
  if (parts.length !== 8 || parts[0] !== 'Fe26.2') return null;
  const { defaults, unseal } = await iron();
  let value: unknown;
  try {
    value = await unseal(sealed, m.passwords, {
      ...defaults,
      encryption: { ...defaults.encryption, iterations: m.iterations },
      integrity: { ...defaults.integrity, iterations: m.iterations },
      timestampSkewSec: 0,
    });
  } catch {
    return null; // forged, damaged, another password, or expired: not our cookie to touch
  }
  // From here the seal is genuine: whatever the outcome, the old cookie has done its job.
  await clearOldCookie(m, request);

  const format = isStartFormat(value) ? 'start' : 'iron-session';
  const expiresAtMs = parts[5] === '' ? undefined : Number(parts[5]);
  // When the old session began: the seal's expiry minus its lifetime, or useSession's own
  // createdAt, whichever is earlier; a seal with neither cannot say how old it is.
  const starts: number[] = [];
  if (expiresAtMs !== undefined && m.ttlMs > 0) starts.push(expiresAtMs - m.ttlMs);
  if (format === 'start') starts.push((value as { createdAt: number }).createdAt);
  if (starts.length === 0) return null;
  const createdAtMs = Math.min(now, ...starts);
  if (!Number.isFinite(createdAtMs) || createdAtMs < 1e12) return null;

  const mapped = await m.toSession(value, { format });
  if (mapped === null || mapped === undefined) return null;
  if (typeof mapped.userId !== 'string' || mapped.userId.length === 0) {
    throw new TypeError('migrate.iron.toSession must return { userId: string, data } or null');
  }
  const internals = internalsOf(core.sessions);
  let issued: IssuedSession<unknown>;
  try {
    issued = internals.create(mapped.userId, mapped.data, {
      authTime: 0,
      createdAtMs,
      sessionId: sealId(sealed),
    });
  } catch (error) {
    // Older than the absolute timeout allows: the user signs in again.
    if (isStartGuardError(error, 'ERR_UNAUTHENTICATED')) return null;
    throw error;
  }
  // Read back through the manager, so revocation applies: the user's watermark, and this
  // session's id if it was migrated and signed out before.
  const read = await core.sessions.read(issued.setCookie.slice(0, issued.setCookie.indexOf(';')));
  return read === null ? null : { session: read.session, setCookie: issued.setCookie };
}

/** The migrated session's id: 128 bits of a hash of the seal (one old cookie, one session). */
function sealId(sealed: string): string {
  return createHash('sha256')
    .update('start-guard/iron-migration/v1\n')
    .update(sealed)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

/** Set-Cookie that removes the old cookie (Path and Domain must match the ones it was set with). */
export function oldCookieClearing(m: IronMigration, request: Request): string {
  const prefixed = m.cookieName.startsWith('__Host-') || m.cookieName.startsWith('__Secure-');
  const secure = prefixed || request.url.startsWith('https:');
  return (
    `${m.cookieName}=; Path=${m.path}` +
    (m.domain === undefined ? '' : `; Domain=${m.domain}`) +
    '; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax' +
    (secure ? '; Secure' : '')
  );
}

async function clearOldCookie(m: IronMigration, request: Request): Promise<void> {
  (await server()).appendResponseHeader('set-cookie', oldCookieClearing(m, request));
}

/** Clears the old cookie if the request has one (sign-in, sign-out). */
export async function clearIronCookie(core: AuthCore, request: Request): Promise<void> {
  const m = core.migrate;
  if (m === undefined) return;
  const header = request.headers.get('cookie');
  if (header !== null && header.includes(`${m.cookieName}=`)) await clearOldCookie(m, request);
}

/** useSession's payload: `{ id, createdAt, data }` (h3's session object). */
function isStartFormat(v: unknown): v is { id: string; createdAt: number; data: object } {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.id === 'string' &&
    typeof o.createdAt === 'number' &&
    typeof o.data === 'object' &&
    o.data !== null &&
    Object.keys(o).every((k) => k === 'id' || k === 'createdAt' || k === 'data' || k === 'lastSeenAt')
  );
}

function defaultToSession(value: unknown, info: { format: 'iron-session' | 'start' }) {
  const source = info.format === 'start' ? (value as { data: unknown }).data : value;
  if (typeof source !== 'object' || source === null || Array.isArray(source)) return null;
  const { userId, ...data } = source as Record<string, unknown>;
  const id =
    typeof userId === 'string'
      ? userId
      : typeof userId === 'number' && Number.isFinite(userId)
        ? String(userId)
        : '';
  return id === '' ? null : { userId: id, data };
}

/** The one value of `name` in a Cookie header (two of them read as none), URL-decoded. */
function oneCookie(header: string | null, name: string): string | null {
  if (header === null) return null;
  let value: string | null = null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    if (value !== null) return null;
    value = part.slice(eq + 1).trim();
  }
  if (value === null || value === '') return null;
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}
