// What start-guard knows about one request, keyed by the Request object itself: Start hands the
// same object to request middleware, to function middleware (RPC and SSR calls alike) and to
// handlers, and a WeakMap lets it go with the request.
import type { ClientAddress, ReadSession, SessionManager } from 'start-guard';

export interface RequestState {
  /** Set by our CSRF middleware: this request went through a CSRF check (or needed none). */
  csrfSeen: boolean;
  /** 'serverFn' for RPC calls, 'router' for pages and server routes (SSR). */
  handlerType: 'serverFn' | 'router' | undefined;
  /** One session read per manager per request (sliding re-issue included). */
  reads: Map<SessionManager<unknown>, Promise<ReadSession<unknown> | null>>;
  /** One loadUser per auth instance per request. */
  identities: Map<object, Promise<unknown>>;
  /** Whether this response carries session data (Cache-Control: no-store). */
  touchesSession: boolean;
  /** getSession's answer, once per auth instance per request (dropped when the session changes). */
  views: Map<object, Promise<unknown>>;
  /** The client's address under each trustProxy list (keyed by the list). */
  clients: Map<unknown, ClientAddress>;
}

const states = new WeakMap<Request, RequestState>();

export function stateOf(request: Request): RequestState | undefined {
  return states.get(request);
}

export function ensureState(request: Request): RequestState {
  let state = states.get(request);
  if (state === undefined) {
    state = {
      csrfSeen: false,
      handlerType: undefined,
      reads: new Map(),
      identities: new Map(),
      touchesSession: false,
      views: new Map(),
      clients: new Map(),
    };
    states.set(request, state);
  }
  return state;
}
