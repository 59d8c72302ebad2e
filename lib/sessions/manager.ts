// Sessions over the sealer: a sealed cookie holding the session, idle and absolute timeouts
// (OWASP Session Management; ASVS 7.3.1/7.3.2), sliding re-issue, and revocation through a store
// so that sign-out really ends a session (ASVS 7.4.1).
import { StartGuardError, invalidArg, isStartGuardError, outOfRangeArg, serverOnlyError } from '../errors';
import { type EventSink, emit } from '../events';
import { serverRuntime } from '../native';
import { randomBase64url } from '../random-pool';
import { defaultRevocationStore } from '../revocation/default';
import type { RevocationStore } from '../revocation/types';
import { type Sealer, type SecretInput, createSealer } from '../sealer';
import {
  type SessionCookieOptions,
  MAX_COOKIE_BYTES,
  clearSetCookie,
  readCookie,
  resolveCookie,
  sessionSetCookie,
} from './cookie';
import { type DeviceCookies, deviceCookies } from './device-cookie';

export interface Session<T> {
  /** 128 random bits, base64url. */
  id: string;
  userId: string;
  data: T;
  /** When this session id was first issued, epoch milliseconds. */
  createdAtMs: number;
  /** When the user last proved who they are (password, passkey…), epoch seconds. */
  authTime: number;
  /** The idle deadline of the cookie that was read or issued, epoch seconds. */
  idleExpiresAt: number;
  /** The absolute deadline, epoch seconds. */
  expiresAt: number;
  /** Whether the cookie survives a browser restart (Max-Age) or is a browser-session cookie. */
  persistent: boolean;
}

export interface SessionManagerOptions {
  secrets: SecretInput | readonly SecretInput[];
  cookieName?: string;
  /** Default 12 hours. */
  absoluteTimeoutSeconds?: number;
  /** Default 30 minutes. */
  idleTimeoutSeconds?: number;
  /** Default false: a browser-session cookie (no Max-Age), as OWASP recommends. */
  persistent?: boolean;
  cookie?: SessionCookieOptions;
  /** Where revocations live; default: the file store at ./.start-guard/revocations. */
  revocation?: RevocationStore;
  onEvent?: EventSink;
  /** The clock, epoch milliseconds (tests). */
  nowMs?: () => number;
}

export interface IssuedSession<T> {
  session: Session<T>;
  setCookie: string;
}

export interface ReadSession<T> {
  session: Session<T>;
  /** Present when the cookie was re-issued (sliding expiry). */
  setCookie?: string;
}

export interface SessionManager<T> {
  readonly cookieName: string;
  read(request: Request | { headers: unknown } | string | null | undefined): Promise<ReadSession<T> | null>;
  create(userId: string, data: T, options?: { authTime?: number; persistent?: boolean }): IssuedSession<T>;
  update(session: Session<T>, data: T): IssuedSession<T>;
  destroy(session: Session<T>): Promise<string>;
  /** Set-Cookie that clears the cookie without revoking anything (e.g. after a bad cookie). */
  clearCookie(): string;
}

/** The sealer purpose of session tokens: a session token is useless as any other token. */
export const SESSION_PURPOSE = 'start-guard/session/v1';

/** What the token's `data` holds (short names keep the cookie small). */
interface SessionClaims {
  sid: string;
  uid: string;
  cms: number;
  at: number;
  /**
   * The absolute deadline, epoch seconds. Carried rather than derived from `cms`, so a session
   * re-issued under a new id (sign-out of other sessions, migration) keeps the deadline it had.
   * Tokens issued before it existed derive it from `cms`.
   */
  ax?: number;
  /** The app's data; absent when the app stored `undefined`. */
  d?: unknown;
  /** 1 when the cookie is persistent (survives a browser restart). */
  p?: 1;
}

/** Options of `create` that only start-guard's own flows use (sign-out of others, migration). */
export interface InternalCreateOptions {
  authTime?: number;
  persistent?: boolean;
  /** When the session counts as created, epoch ms (default now); not in the future. */
  createdAtMs?: number;
  /** The absolute deadline, epoch seconds; never later than createdAt + absoluteTimeoutSeconds. */
  absoluteExpiresAt?: number;
  /**
   * The session id (128 bits, base64url) instead of a fresh random one: migration derives it from
   * the old cookie, so every re-migration of one cookie is the same session, revoked once.
   */
  sessionId?: string;
}

export interface SessionInternals<T> {
  create(userId: string, data: T, options: InternalCreateOptions): IssuedSession<T>;
  /**
   * Revokes every session of the user created before now (the manager's clock), kept as long as
   * any of them can live; resolves to the watermark (epoch ms), where "sign out my other
   * sessions" creates the caller's new session.
   */
  revokeUserBefore(userId: string): Promise<number>;
  /** The manager's clock (epoch ms): when a sign-in read the credential it is about to trust. */
  nowMs(): number;
  /** The device cookie of passwordSignIn, sealed with this manager's keys. */
  device: DeviceCookies;
}

/**
 * Where a manager keeps what lib/start needs and users do not (not public API). Symbol.for, so
 * it is found across module copies.
 */
export const SESSION_INTERNALS = Symbol.for('start-guard.session-internals');

// Epoch seconds of a real sign-in are above 1e9 (September 2001) and below 1e11 (year 5138):
// under the floor is a duration, over the ceiling milliseconds. 0 means "unknown" (migration).
const MIN_EPOCH_SECONDS = 1e9;
const MAX_EPOCH_SECONDS = 1e11;

export function createSessionManager<T = unknown>(options: SessionManagerOptions): SessionManager<T> {
  if (typeof options !== 'object' || options === null) invalidArg('options', 'an object', options);
  const cookieName =
    options.cookieName ?? (options.cookie?.insecureDevelopment ? 'session' : '__Host-session');
  if (typeof cookieName !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(cookieName)) {
    throw new StartGuardError('ERR_INVALID_OPTION', 'cookieName must be a cookie name token (RFC 6265)');
  }
  const absolute = seconds(options.absoluteTimeoutSeconds, 12 * 3600, 'absoluteTimeoutSeconds');
  const idle = seconds(options.idleTimeoutSeconds, 30 * 60, 'idleTimeoutSeconds');
  const attrs = resolveCookie(cookieName, options.cookie);
  const persistentDefault = options.persistent === true;
  const onEvent = options.onEvent;
  const nowMs = options.nowMs ?? Date.now;
  if (typeof nowMs !== 'function') invalidArg('options.nowMs', 'a function', nowMs);
  if (!serverRuntime) return inertManager(cookieName);
  // A test clock must still tell real time: before 2001 every date check (authTime, expiries in
  // the stores) would refuse it with an error about something the caller did not pass.
  const firstNow = nowMs();
  if (
    typeof firstNow !== 'number' ||
    !(firstNow >= MIN_EPOCH_SECONDS * 1000 && firstNow < MAX_EPOCH_SECONDS * 1000)
  ) {
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      `nowMs must return epoch milliseconds; it returned ${firstNow}`,
    );
  }

  // The cookie-size check (name + value <= 4096) is the binding limit: the sealer's cap is the
  // same, so oversized data is refused before any native work (and reported as the cookie error
  // the README promises), and reads refuse oversized values before unsealing.
  const sealer: Sealer = createSealer({ secrets: options.secrets, nowMs, maxTokenBytes: MAX_COOKIE_BYTES });
  // The embedded default is opened (and its path logged) at start-up; with NODE_ENV=production
  // it refuses, so a missing explicit store shows at once rather than at the first sign-out.
  const store: RevocationStore = options.revocation ?? defaultRevocationStore();

  // The absolute deadline (epoch seconds): the one the token carries, never later than today's
  // settings allow, so shortening absoluteTimeoutSeconds applies to cookies already out there.
  const absoluteDeadline = (claims: SessionClaims) => {
    const bySettings = Math.floor(claims.cms / 1000) + absolute;
    return claims.ax === undefined ? bySettings : Math.min(claims.ax, bySettings);
  };

  // `carryDeadline` false only when re-issuing a token from before `ax` existed: its deadline is
  // derived from cms either way, and adding the claim could push a cookie at the size limit over.
  function issue(claims: SessionClaims, now: number, carryDeadline = true): IssuedSession<T> {
    const nowS = now / 1000;
    const expiresAt = absoluteDeadline(claims);
    if (carryDeadline) claims.ax = expiresAt;
    const idleExpiresAt = Math.min(Math.floor(nowS) + idle, expiresAt);
    const ttl = idleExpiresAt - nowS;
    if (ttl <= 0)
      throw new StartGuardError('ERR_UNAUTHENTICATED', 'the session is past its absolute timeout');
    let token: string;
    try {
      token = sealer.seal(claims, { ttl, purpose: SESSION_PURPOSE });
    } catch (err) {
      if (!isStartGuardError(err, 'ERR_TOKEN_TOO_LARGE')) throw err;
      throw new StartGuardError(
        'ERR_COOKIE_TOO_LARGE',
        `the session cookie would be over the browsers' ${MAX_COOKIE_BYTES} bytes: keep session data small`,
      );
    }
    const maxAge = claims.p === 1 ? Math.max(1, Math.floor(idleExpiresAt - nowS)) : undefined;
    return {
      session: toSession(claims, idleExpiresAt, expiresAt),
      setCookie: sessionSetCookie(cookieName, token, attrs, maxAge),
    };
  }

  function create(userId: string, data: T, opts?: { authTime?: number; persistent?: boolean }) {
    return createSession(userId, data, opts, false);
  }

  function createSession(
    userId: string,
    data: T,
    opts: InternalCreateOptions | undefined,
    internal: boolean,
  ) {
    if (typeof userId !== 'string' || userId.length === 0) invalidArg('userId', 'a non-empty string', userId);
    if (opts !== undefined && (typeof opts !== 'object' || opts === null))
      invalidArg('options', 'an object', opts);
    const now = nowMs();
    const nowS = Math.floor(now / 1000);
    // `null` is not "now": only an absent authTime defaults to this sign-in.
    const authTime = opts?.authTime === undefined ? nowS : opts.authTime;
    if (opts?.authTime !== undefined) checkAuthTime(authTime, nowS);
    const persistent = opts?.persistent ?? persistentDefault;
    if (typeof persistent !== 'boolean') invalidArg('options.persistent', 'a boolean', persistent);
    let cms = now;
    let ax: number | undefined;
    let sid: string | undefined;
    if (internal) {
      if (opts?.createdAtMs !== undefined) cms = checkCreatedAtMs(opts.createdAtMs, now);
      if (opts?.absoluteExpiresAt !== undefined) ax = checkDeadline(opts.absoluteExpiresAt);
      if (opts?.sessionId !== undefined) sid = checkSessionId(opts.sessionId);
    }
    // Otherwise always a new id (ASVS 7.2.4): 128 bits from the CSPRNG (ASVS 7.2.3).
    sid ??= randomBase64url(16);
    const claims: SessionClaims = { sid, uid: userId, cms, at: authTime, d: data };
    if (ax !== undefined) claims.ax = ax;
    if (persistent) claims.p = 1;
    const issued = issue(claims, now);
    emit(onEvent, { type: 'session.created', at: now, userId, sessionId: sid });
    return issued;
  }

  function update(session: Session<T>, data: T) {
    const now = nowMs();
    const claims = claimsOf(session, Math.floor(now / 1000));
    claims.d = data;
    return issue(claims, now);
  }

  async function read(request: Parameters<SessionManager<T>['read']>[0]): Promise<ReadSession<T> | null> {
    const token = readCookie(cookieHeader(request), cookieName);
    if (token === null || token.length + cookieName.length > MAX_COOKIE_BYTES) return null;
    const sealed = sealer.unseal<unknown>(token, { purpose: SESSION_PURPOSE, claims: true });
    if (sealed === null) return null;
    const claims = sealed.value;
    // Without a readable iat the idle deadline cannot be computed: such a token (from another
    // PASETO library holding the key) is refused rather than checked against exp alone.
    if (!isClaims(claims) || !Number.isFinite(sealed.iat)) return null;
    const now = nowMs();
    // Both deadlines are checked against today's settings too, so shortening a timeout in the
    // configuration applies to cookies already out there.
    const expiresAt = absoluteDeadline(claims);
    const idleExpiresAt = Math.min(sealed.iat + idle, sealed.exp, expiresAt);
    if (now >= idleExpiresAt * 1000) return null;
    // An authTime that cannot be epoch seconds (milliseconds from a release that accepted them)
    // reads as "unknown", so a step-up check asks again instead of seeing a sign-in from the future.
    if (claims.at !== 0 && !(claims.at >= MIN_EPOCH_SECONDS && claims.at < MAX_EPOCH_SECONDS)) claims.at = 0;
    const session = toSession<T>(claims, idleExpiresAt, expiresAt);
    if (await store.isRevoked(session)) {
      emit(onEvent, {
        type: 'session.rejected',
        at: now,
        userId: claims.uid,
        sessionId: claims.sid,
        reason: 'revoked',
      });
      return null;
    }
    // Sliding expiry: past half the idle window, re-issue (same id) so an active user stays in.
    if (now - sealed.iat * 1000 > (idle * 1000) / 2 && expiresAt * 1000 > now + 1000) {
      try {
        return issue(claims, now, claims.ax !== undefined);
      } catch (err) {
        // A valid cookie never makes read throw: without a re-issue it lives to its idle deadline.
        if (!isStartGuardError(err, 'ERR_COOKIE_TOO_LARGE')) throw err;
      }
    }
    return { session };
  }

  async function destroy(session: Session<T>): Promise<string> {
    if (typeof session !== 'object' || session === null || typeof session.id !== 'string') {
      invalidArg('session', 'a Session', session);
    }
    // Durable before the cookie is cleared: a copied cookie must stop working (ASVS 7.4.1).
    await store.revoke(session.id, session.expiresAt);
    emit(onEvent, { type: 'session.revoked', at: nowMs(), userId: session.userId, sessionId: session.id });
    return clearSetCookie(cookieName, attrs);
  }

  const manager: SessionManager<T> = {
    cookieName,
    read,
    create,
    update,
    destroy,
    clearCookie: () => clearSetCookie(cookieName, attrs),
  };
  const internals: SessionInternals<T> = {
    create: (userId, data, opts) => createSession(userId, data, opts, true),
    nowMs: () => nowMs(),
    device: deviceCookies(sealer, cookieName, attrs),
    async revokeUserBefore(userId: string): Promise<number> {
      if (typeof userId !== 'string' || userId.length === 0)
        invalidArg('userId', 'a non-empty string', userId);
      const atMs = nowMs();
      // Kept until the last session it covers has ended: none outlives its absolute timeout.
      await store.revokeUserBefore(userId, atMs, Math.ceil(atMs / 1000) + absolute);
      emit(onEvent, { type: 'session.revoked', at: atMs, userId, reason: 'user_watermark' });
      return atMs;
    },
  };
  Object.defineProperty(manager, SESSION_INTERNALS, { value: internals });
  return manager;
}

function checkAuthTime(value: unknown, nowS: number, name = 'options.authTime'): asserts value is number {
  if (typeof value !== 'number') invalidArg(name, 'a number (epoch seconds)', value);
  // Milliseconds here would read as a sign-in thousands of years from now: fresh forever to a
  // step-up check. A duration would read as 1970. Both are refused; 0 means "unknown".
  if (value === 0) return;
  if (!Number.isFinite(value) || value < MIN_EPOCH_SECONDS || value >= MAX_EPOCH_SECONDS) {
    outOfRangeArg(name, `must be epoch seconds (not milliseconds, not a duration); received ${value}`);
  }
  if (value > nowS + 60) outOfRangeArg(name, `must not be in the future; received ${value}`);
}

function checkCreatedAtMs(value: unknown, now: number): number {
  if (typeof value !== 'number') invalidArg('options.createdAtMs', 'a number (epoch milliseconds)', value);
  if (!Number.isFinite(value) || value < MIN_EPOCH_SECONDS * 1000 || value > now) {
    outOfRangeArg('options.createdAtMs', `must be epoch milliseconds, not in the future; received ${value}`);
  }
  return value;
}

function checkDeadline(value: unknown): number {
  if (typeof value !== 'number') invalidArg('options.absoluteExpiresAt', 'a number (epoch seconds)', value);
  if (!Number.isFinite(value) || value < MIN_EPOCH_SECONDS || value >= MAX_EPOCH_SECONDS) {
    outOfRangeArg('options.absoluteExpiresAt', `must be epoch seconds; received ${value}`);
  }
  return Math.floor(value);
}

function checkSessionId(value: unknown): string {
  // What randomBase64url(16) makes: 22 characters, the last of which carries 2 bits.
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{21}[AQgw]$/.test(value)) {
    invalidArg('options.sessionId', '128 bits in unpadded base64url (22 characters)', value);
  }
  return value;
}

function toSession<T>(c: SessionClaims, idleExpiresAt: number, expiresAt: number): Session<T> {
  return {
    id: c.sid,
    userId: c.uid,
    data: c.d as T,
    createdAtMs: c.cms,
    authTime: c.at,
    idleExpiresAt,
    expiresAt,
    persistent: c.p === 1,
  };
}

// update() re-seals what it is given: a Session with a field of the wrong type would make a
// cookie that never reads back (a silent sign-out), so each field is checked here.
function claimsOf<T>(session: Session<T>, nowS: number): SessionClaims {
  if (
    typeof session !== 'object' ||
    session === null ||
    typeof session.id !== 'string' ||
    session.id === ''
  ) {
    invalidArg('session', 'a Session', session);
  }
  if (typeof session.userId !== 'string' || session.userId === '') {
    invalidArg('session.userId', 'a non-empty string', session.userId);
  }
  if (typeof session.createdAtMs !== 'number')
    invalidArg('session.createdAtMs', 'epoch milliseconds', session.createdAtMs);
  if (!Number.isFinite(session.createdAtMs) || session.createdAtMs < MIN_EPOCH_SECONDS * 1000) {
    outOfRangeArg('session.createdAtMs', `must be epoch milliseconds; received ${session.createdAtMs}`);
  }
  checkAuthTime(session.authTime, nowS, 'session.authTime');
  const claims: SessionClaims = {
    sid: session.id,
    uid: session.userId,
    cms: session.createdAtMs,
    at: session.authTime,
    d: session.data,
  };
  // The deadline it had: an update never extends a session.
  if (typeof session.expiresAt === 'number' && Number.isFinite(session.expiresAt))
    claims.ax = session.expiresAt;
  if (session.persistent === true) claims.p = 1;
  return claims;
}

function isClaims(v: unknown): v is SessionClaims {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return (
    typeof c.sid === 'string' &&
    c.sid.length > 0 &&
    typeof c.uid === 'string' &&
    c.uid.length > 0 &&
    typeof c.cms === 'number' &&
    Number.isFinite(c.cms) &&
    typeof c.at === 'number' &&
    Number.isFinite(c.at) &&
    (c.ax === undefined || (typeof c.ax === 'number' && Number.isFinite(c.ax)))
  );
}

function cookieHeader(request: unknown): unknown {
  if (typeof request === 'string') return request;
  if (typeof request !== 'object' || request === null) return undefined;
  const headers = (request as { headers?: unknown }).headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  // A Fetch Request (Start, Hono, Next) or Node's IncomingMessage (headers as a plain object).
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get('cookie');
  return (headers as Record<string, unknown>).cookie;
}

// Browsers cap cookie lifetimes at 400 days (RFC 6265bis): longer timeouts mean nothing.
const MAX_TIMEOUT_SECONDS = 400 * 86400;

function seconds(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value <= 0 ||
    value > MAX_TIMEOUT_SECONDS
  ) {
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      `${name} must be a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS} (400 days)`,
    );
  }
  return value;
}

function inertManager<T>(cookieName: string): SessionManager<T> {
  const refuse = (): never => {
    throw serverOnlyError();
  };
  return { cookieName, read: refuse, create: refuse, update: refuse, destroy: refuse, clearCookie: refuse };
}
