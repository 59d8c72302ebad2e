// What the middleware of one createAuth() share: the resolved options. Kept apart from the
// middleware objects so that the server implementation (server.ts) and its browser stand-in
// (server.browser.ts) take the same argument.
import type { EventSink, Session, SessionManager, StartGuardEvent } from 'start-guard';
import type { IronMigration } from './migrate-iron.js';

export interface AuthCore {
  sessions: SessionManager<unknown>;
  loadUser: (session: Session<unknown>) => unknown;
  /** What getSession may send to the browser; undefined: getSession refuses to guess. */
  toClient: ((user: unknown, session: Session<unknown>) => unknown) | undefined;
  /** The proxies in front of the app (CIDRs), for the client's address. */
  trustProxy: readonly string[] | undefined;
  /** Checked on the server only; undefined in the browser build. */
  migrate: IronMigration | undefined;
  onEvent: EventSink | undefined;
  /** 'error', or the path a page request is redirected to (with ?returnTo=). */
  onUnauthenticated: string;
}

/** Calls the sink without awaiting it; its errors are swallowed (an event never changes a request). */
export function emitEvent(core: { onEvent: EventSink | undefined }, event: StartGuardEvent): void {
  if (core.onEvent === undefined) return;
  try {
    void Promise.resolve(core.onEvent(event)).catch(() => {});
  } catch {
    // A throwing sink is ignored, as in the core.
  }
}
