// What lib/start needs of a session manager beyond its public API: the internal `create` options
// (a given creation time, deadline or id) and the user's watermark. Found under a Symbol.for
// key, so a manager from another copy of start-guard works too.
import type { IssuedSession, SessionManager } from 'start-guard';

export interface SessionInternals {
  create(
    userId: string,
    data: unknown,
    options: {
      authTime?: number;
      persistent?: boolean;
      createdAtMs?: number;
      absoluteExpiresAt?: number;
      sessionId?: string;
    },
  ): IssuedSession<unknown>;
  revokeUserBefore(userId: string): Promise<number>;
  nowMs(): number;
  /** passwordSignIn's device cookie (absent in a manager from an older copy of start-guard). */
  device?: {
    setCookie(identifier: string): string;
    known(cookieHeader: unknown, identifier: string): boolean;
  };
}

const SESSION_INTERNALS = Symbol.for('start-guard.session-internals');

export function internalsOf(sessions: SessionManager<unknown>): SessionInternals {
  const internals = (sessions as unknown as Record<symbol, SessionInternals | undefined>)[SESSION_INTERNALS];
  if (typeof internals?.revokeUserBefore !== 'function' || typeof internals.nowMs !== 'function') {
    throw new TypeError(
      'this flow needs a session manager from this version of start-guard (createSessionManager)',
    );
  }
  return internals;
}
