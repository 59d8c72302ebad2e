// The session and user of one request: the session read once per manager (sliding re-issue
// included), loadUser once per auth, and both replaced in place when a flow of the same request
// signs in, updates or signs out, so that a later call (getSession after signIn) sees the change.
import type { ReadSession, Session } from 'start-guard';
import type { AuthCore } from './core.js';
import { hasIronCookie, migrateIron } from './migrate-iron.js';
import type { RequestState } from './request-state.js';
import { server } from './respond.js';

export interface Identity {
  session: Session<unknown>;
  user: unknown;
}

export function hasSessionCookie(core: AuthCore, request: Request): boolean {
  const header = request.headers.get('cookie');
  return header !== null && header.includes(`${core.sessions.cookieName}=`);
}

/** Whether the request may carry a session: our cookie, or an old one still to be migrated. */
export function mayHaveSession(core: AuthCore, request: Request): boolean {
  return hasSessionCookie(core, request) || hasIronCookie(core, request);
}

/** One session read per manager per request; a re-issued cookie (sliding expiry) is sent once. */
export function readSession(
  core: AuthCore,
  request: Request,
  state: RequestState,
): Promise<ReadSession<unknown> | null> {
  let pending = state.reads.get(core.sessions);
  if (pending === undefined) {
    // Only without a cookie of ours is an old cookie migrated: a signed-out or expired session
    // never comes back through a stale old cookie.
    const read = hasSessionCookie(core, request)
      ? core.sessions.read(request)
      : hasIronCookie(core, request)
        ? migrateIron(core, request)
        : Promise.resolve(null);
    pending = read.then(async (found) => {
      if (found?.setCookie !== undefined) {
        state.touchesSession = true;
        (await server()).appendResponseHeader('set-cookie', found.setCookie);
      }
      return found;
    });
    state.reads.set(core.sessions, pending);
  }
  return pending;
}

/** The session and user of this request, or null; loadUser runs once per auth per request. */
export function identityOf(core: AuthCore, request: Request, state: RequestState): Promise<Identity | null> {
  let pending = state.identities.get(core) as Promise<Identity | null> | undefined;
  if (pending === undefined) {
    pending = (async () => {
      if (!state.reads.has(core.sessions) && !mayHaveSession(core, request)) return null;
      const found = await readSession(core, request, state);
      if (found === null) return null;
      const user = await core.loadUser(found.session);
      return user === null || user === undefined ? null : { session: found.session, user };
    })();
    state.identities.set(core, pending);
  }
  return pending;
}

/**
 * After a flow changed this request's session (signed in, updated, signed out): every auth over
 * the same manager sees the new session from now on, and loads its user again.
 */
export function replaceSession(core: AuthCore, state: RequestState, session: Session<unknown> | null): void {
  state.reads.set(core.sessions, Promise.resolve(session === null ? null : { session }));
  for (const key of [...state.identities.keys(), ...state.views.keys()]) {
    if ((key as AuthCore).sessions === core.sessions) {
      state.identities.delete(key);
      state.views.delete(key);
    }
  }
}
