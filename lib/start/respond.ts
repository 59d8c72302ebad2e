// How start-guard answers from inside Start: Start's server helpers (imported lazily, on the first
// request, so none of them reaches a client bundle), refusals that set the HTTP status and the
// x-start-guard-error header for server-function calls only, and JSON refusals for server routes.
import { StartGuardError, isStartGuardError } from 'start-guard';
import type { AuthCore } from './core.js';
import { type RequestState, stateOf } from './request-state.js';

type StartServer = typeof import('@tanstack/react-start/server');
let startServer: StartServer | undefined;
export async function server(): Promise<StartServer> {
  return startServer ?? (startServer = await import('@tanstack/react-start/server'));
}
let redirectFn: typeof import('@tanstack/react-router').redirect | undefined;
async function redirect(): Promise<typeof import('@tanstack/react-router').redirect> {
  return redirectFn ?? (redirectFn = (await import('@tanstack/react-router')).redirect);
}

/** The request of a middleware call (Start 1.169 passes it to function middleware too) or handler. */
export async function requestOf(ctx: object = {}): Promise<Request> {
  const request = (ctx as { request?: unknown }).request;
  return request instanceof Request ? request : (await server()).getRequest();
}

// Start's own record of what kind of request this is; used only when our request middleware did
// not run (startOptions forgotten), to decide whether a rejection may set the HTTP status.
const START_CONTEXT = Symbol.for('tanstack-start:start-storage-context');
function startHandlerType(): string | undefined {
  const storage = (
    globalThis as Record<symbol, { getStore(): { handlerType?: string } | undefined } | undefined>
  )[START_CONTEXT];
  return storage?.getStore()?.handlerType;
}

export function isRpc(state: RequestState | undefined): boolean {
  return (state?.handlerType ?? startHandlerType()) !== 'router';
}

/**
 * Refuses the call. For server-function RPC the status and `x-start-guard-error` are set (an error
 * thrown alone reaches the client as a 200); during SSR the page status is left alone, and an
 * unauthenticated page request may be redirected instead (onUnauthenticated).
 */
export async function refuse(
  core: Pick<AuthCore, 'onUnauthenticated'> | undefined,
  request: Request,
  error: StartGuardError,
  headers: Record<string, string> = {},
): Promise<never> {
  const state = stateOf(request);
  if (isRpc(state)) {
    const s = await server();
    if (error.status !== undefined) s.setResponseStatus(error.status);
    s.setResponseHeader('x-start-guard-error', error.code);
    for (const [name, value] of Object.entries(headers)) s.setResponseHeader(name as never, value);
    throw error;
  }
  if (error.code === 'ERR_UNAUTHENTICATED' && core !== undefined && core.onUnauthenticated !== 'error') {
    const url = new URL(request.url);
    const target = new URL(core.onUnauthenticated, url.origin);
    target.searchParams.set('returnTo', url.pathname + url.search);
    throw (await redirect())({ href: target.pathname + target.search });
  }
  throw error;
}

/** 429 with Retry-After (whole seconds, at least 1): the one form every limit refuses in. */
export function refuseLimited(request: Request, retryAfterMs: number, what: string): Promise<never> {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return refuse(
    undefined,
    request,
    new StartGuardError('ERR_RATE_LIMITED', `${what}; retry in ${seconds} s`),
    { 'retry-after': String(seconds) },
  );
}

/** Fails closed when no CSRF check of ours saw the request: startOptions() was not installed. */
export async function requireCsrfSeen(request: Request): Promise<RequestState> {
  const state = stateOf(request);
  if (state?.csrfSeen === true) return state;
  return refuse(
    undefined,
    request,
    new StartGuardError(
      'ERR_CSRF',
      'no CSRF check saw this call: return auth.startOptions() from createStart() in src/start.ts',
    ),
  );
}

export async function markNoStore(): Promise<void> {
  (await server()).setResponseHeader('cache-control', 'no-store');
}

/** A store that failed is a 503, never a silent pass. */
export function storeError(cause: unknown): StartGuardError {
  if (isStartGuardError(cause)) return cause;
  return new StartGuardError('ERR_STORE_UNAVAILABLE', 'the session store did not answer', { cause });
}

/** A refusal on a server route (not an RPC): JSON with the code, and the same header. */
export function errorResponse(error: StartGuardError): Response {
  return new Response(JSON.stringify({ error: { code: error.code, message: error.message } }), {
    status: error.status ?? 500,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'x-start-guard-error': error.code,
    },
  });
}
