// What a sign-in or sign-out server function calls: signIn, updateSession, signOut and getSession.
// Each works on the request Start is handling (getRequest), sends its cookies on that response,
// and fails closed like the guards when no CSRF check of ours saw the call (a forged sign-in is
// login CSRF; OWASP CSRF Prevention).
import { StartGuardError, isStartGuardError } from 'start-guard';
import type { Session } from 'start-guard';
import { clientOf } from './client.js';
import { type AuthCore, emitEvent } from './core.js';
import { type Identity, hasSessionCookie, identityOf, readSession, replaceSession } from './identity.js';
import { clearIronCookie } from './migrate-iron.js';
import type { RequestState } from './request-state.js';
import { markNoStore, refuse, requestOf, requireCsrfSeen, server, storeError } from './respond.js';
import { internalsOf } from './session-internals.js';

export interface SignInOptions {
  /** When the user proved who they are, epoch seconds (default now). */
  authTime?: number;
  /** A cookie that survives a browser restart ("remember me"); default the manager's. */
  persistent?: boolean;
}

export type SignOutScope = 'this' | 'others' | 'all';

/** What getSession sends to the browser: the session without its data, and toClient's user. */
export interface ClientSession {
  id: string;
  userId: string;
  createdAtMs: number;
  authTime: number;
  idleExpiresAt: number;
  expiresAt: number;
  persistent: boolean;
}

/** Runs a flow; a StartGuardError with an HTTP status (a failing store, 401) becomes a refusal. */
export async function flow<T>(request: Request, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (isStartGuardError(error) && error.status !== undefined) return refuse(undefined, request, error);
    throw error;
  }
}

async function sendCookie(state: RequestState, setCookie: string): Promise<void> {
  state.touchesSession = true;
  const s = await server();
  s.appendResponseHeader('set-cookie', setCookie);
  s.setResponseHeader('cache-control', 'no-store');
}

async function current(core: AuthCore, request: Request, state: RequestState) {
  try {
    return await readSession(core, request, state);
  } catch (cause) {
    throw storeError(cause);
  }
}

/**
 * Issues a new session (new id: ASVS 7.2.4) and revokes the one the request came with, so a
 * session id planted before sign-in (fixation) or left by another user ends here.
 */
export async function issueSession(
  core: AuthCore,
  request: Request,
  state: RequestState,
  userId: string,
  data: unknown,
  options: SignInOptions | undefined,
  /** passwordSignIn's: when the credential was read (epoch ms, the manager's clock). */
  createdAtMs?: number,
): Promise<Session<unknown>> {
  const previous = await current(core, request, state);
  // Created first: a programmer error (a bad userId or authTime) leaves the request as it was.
  const issued =
    createdAtMs === undefined
      ? core.sessions.create(userId, data, options)
      : internalsOf(core.sessions).create(userId, data, { ...options, createdAtMs });
  if (previous !== null) await core.sessions.destroy(previous.session);
  await sendCookie(state, issued.setCookie);
  await clearIronCookie(core, request);
  replaceSession(core, state, issued.session);
  const { ip } = await clientOf(core, request, state);
  emitEvent(core, {
    type: 'login.success',
    at: Date.now(),
    userId,
    sessionId: issued.session.id,
    ...(ip === null ? {} : { ip }),
  });
  return issued.session;
}

export async function signInFlow(
  core: AuthCore,
  userId: string,
  data: unknown,
  options?: SignInOptions,
): Promise<Session<unknown>> {
  const request = await requestOf();
  const state = await requireCsrfSeen(request);
  return flow(request, () => issueSession(core, request, state, userId, data, options));
}

export async function updateSessionFlow(core: AuthCore, data: unknown): Promise<Session<unknown>> {
  const request = await requestOf();
  const state = await requireCsrfSeen(request);
  return flow(request, async () => {
    const found = await current(core, request, state);
    if (found === null) throw new StartGuardError('ERR_UNAUTHENTICATED', 'sign-in required');
    // Same id, createdAt, authTime and deadline; older cookies of this id stay valid until they
    // expire, which is why authorization state belongs in loadUser, not in session data.
    const issued = core.sessions.update(found.session, data);
    await sendCookie(state, issued.setCookie);
    replaceSession(core, state, issued.session);
    return issued.session;
  });
}

export async function signOutFlow(core: AuthCore, options: { scope?: SignOutScope } = {}): Promise<void> {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('The "options" argument must be an object');
  const scope = options.scope ?? 'this';
  if (scope !== 'this' && scope !== 'others' && scope !== 'all') {
    throw new TypeError(`The "scope" option must be 'this', 'others' or 'all'; received ${String(scope)}`);
  }
  const request = await requestOf();
  const state = await requireCsrfSeen(request);
  return flow(request, async () => {
    const found = await current(core, request, state);
    if (found === null) {
      // Signing out without a session is done already; ending the user's other sessions needs
      // to know the user.
      if (scope !== 'this') throw new StartGuardError('ERR_UNAUTHENTICATED', 'sign-in required');
      if (hasSessionCookie(core, request)) await sendCookie(state, core.sessions.clearCookie());
      await clearIronCookie(core, request);
      return;
    }
    const session = found.session;
    if (scope === 'this') {
      await sendCookie(state, await core.sessions.destroy(session));
      replaceSession(core, state, null);
    } else if (scope === 'all') {
      // The watermark first: if it fails, nothing is signed out and the caller can retry.
      await internalsOf(core.sessions).revokeUserBefore(session.userId);
      await sendCookie(state, await core.sessions.destroy(session));
      replaceSession(core, state, null);
    } else {
      // Every session created before the watermark ends (ASVS 7.4.3); the caller goes on under a
      // new id created at the watermark, with the same sign-in time and the same deadline.
      const internals = internalsOf(core.sessions);
      const atMs = await internals.revokeUserBefore(session.userId);
      const kept = internals.create(session.userId, session.data, {
        authTime: session.authTime,
        persistent: session.persistent,
        createdAtMs: atMs,
        absoluteExpiresAt: session.expiresAt,
      });
      await core.sessions.destroy(session); // created in the watermark's millisecond, it would stay
      await sendCookie(state, kept.setCookie);
      replaceSession(core, state, kept.session);
    }
    await clearIronCookie(core, request);
    const { ip } = await clientOf(core, request, state);
    emitEvent(core, {
      type: 'logout',
      at: Date.now(),
      userId: session.userId,
      sessionId: session.id,
      reason: scope,
      ...(ip === null ? {} : { ip }),
    });
  });
}

/** The session and toClient's user, or null; once per request, and again after a change. */
export async function getSessionFlow(
  core: AuthCore,
): Promise<{ session: ClientSession; user: unknown } | null> {
  if (core.toClient === undefined) {
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      'getSession sends only what toClient returns: pass createAuth({ toClient: (user, session) => ({ … }) })',
    );
  }
  const toClient = core.toClient;
  const request = await requestOf();
  const state = await requireCsrfSeen(request);
  let pending = state.views.get(core) as
    Promise<{ session: ClientSession; user: unknown } | null> | undefined;
  if (pending === undefined) {
    pending = (async () => {
      let found: Identity | null;
      try {
        found = await identityOf(core, request, state);
      } catch (cause) {
        return refuse(undefined, request, storeError(cause));
      }
      if (found === null) return null;
      state.touchesSession = true;
      await markNoStore();
      const { data: _data, ...session } = found.session;
      return { session, user: await toClient(found.user, found.session) };
    })();
    state.views.set(core, pending);
  }
  return pending;
}
