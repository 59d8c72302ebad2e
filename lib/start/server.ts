// The server side of every middleware: what runs inside their .server() parts. The browser build
// swaps this module for server.browser.ts, so none of it (nor @tanstack/react-start/server) is in
// a client bundle. Start's server helpers are imported lazily, on the first request.
import { StartGuardError, isStartGuardError } from 'start-guard';
import type { Session } from 'start-guard';
import type { AuthCore } from './core.js';
import { emitEvent } from './core.js';
import { type CsrfOptions, csrfVerdict } from './csrf.js';
import { type RequestState, ensureState, stateOf } from './request-state.js';
import { checkStartVersion } from './version.js';

type StartServer = typeof import('@tanstack/react-start/server');
let startServer: StartServer | undefined;
async function server(): Promise<StartServer> {
  return startServer ?? (startServer = await import('@tanstack/react-start/server'));
}
let redirectFn: typeof import('@tanstack/react-router').redirect | undefined;
async function redirect(): Promise<typeof import('@tanstack/react-router').redirect> {
  return redirectFn ?? (redirectFn = (await import('@tanstack/react-router')).redirect);
}

export function serverInit(): void {
  checkStartVersion();
}

export interface Identity {
  session: Session<unknown>;
  user: unknown;
}

/** The request of a middleware call: Start 1.169 passes it to function middleware too. */
async function requestOf(ctx: object): Promise<Request> {
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

function isRpc(state: RequestState | undefined): boolean {
  return (state?.handlerType ?? startHandlerType()) !== 'router';
}

/**
 * Refuses the call. For server-function RPC the status and `x-start-guard-error` are set (an error
 * thrown alone reaches the client as a 200); during SSR the page status is left alone, and an
 * unauthenticated page request may be redirected instead (onUnauthenticated).
 */
async function refuse(
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

/** Fails closed when no CSRF check of ours saw the request: startOptions() was not installed. */
async function requireCsrfSeen(request: Request): Promise<RequestState> {
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

/** One session read per manager per request; a re-issued cookie (sliding expiry) is sent once. */
function readSession(core: AuthCore, request: Request, state: RequestState) {
  let pending = state.reads.get(core.sessions);
  if (pending === undefined) {
    pending = core.sessions.read(request).then(async (found) => {
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

function hasSessionCookie(core: AuthCore, request: Request): boolean {
  const header = request.headers.get('cookie');
  return header !== null && header.includes(`${core.sessions.cookieName}=`);
}

/** The session and user of this request, or null; loadUser runs once per auth per request. */
function identityOf(core: AuthCore, request: Request, state: RequestState): Promise<Identity | null> {
  let pending = state.identities.get(core) as Promise<Identity | null> | undefined;
  if (pending === undefined) {
    pending = (async () => {
      if (!hasSessionCookie(core, request)) return null;
      const found = await readSession(core, request, state);
      if (found === null) return null;
      const user = await core.loadUser(found.session);
      return user === null || user === undefined ? null : { session: found.session, user };
    })();
    state.identities.set(core, pending);
  }
  return pending;
}

async function markNoStore(): Promise<void> {
  (await server()).setResponseHeader('cache-control', 'no-store');
}

// ---- the .server() bodies -------------------------------------------------------------------

/** Global request middleware: our CSRF check. Returns a Response to short-circuit a route. */
export async function csrfRequest(
  options: CsrfOptions,
  onEvent: AuthCore['onEvent'],
  ctx: { request: Request; pathname: string; handlerType: 'serverFn' | 'router' },
): Promise<Response | undefined> {
  const state = ensureState(ctx.request);
  state.handlerType = ctx.handlerType;
  const verdict = csrfVerdict(ctx.request, ctx.pathname, ctx.handlerType, options);
  if (verdict === 'allowed' || verdict === 'not-checked') {
    state.csrfSeen = true;
    return undefined;
  }
  emitEvent({ onEvent }, { type: 'csrf.blocked', at: Date.now(), reason: verdict });
  const error = new StartGuardError('ERR_CSRF', `cross-site request refused (${verdict})`);
  if (ctx.handlerType === 'serverFn') return refuse(undefined, ctx.request, error);
  return errorResponse(error);
}

/** Global request middleware: reads (and slides) the session once; never rejects. */
export async function sessionRequest(core: AuthCore, request: Request): Promise<void> {
  if (!hasSessionCookie(core, request)) return;
  const state = ensureState(request);
  state.touchesSession = true;
  await markNoStore();
  // A failing store is not this middleware's to report: the guards that need the session
  // await the same promise and refuse with ERR_STORE_UNAVAILABLE.
  await identityOf(core, request, state).catch(() => null);
}

/** auth.middleware / auth.optional: the identity, or a refusal (401). */
export async function identityFn(core: AuthCore, ctx: object, optional: boolean): Promise<Identity | null> {
  const request = await requestOf(ctx);
  const state = await requireCsrfSeen(request);
  let found: Identity | null;
  try {
    found = await identityOf(core, request, state);
  } catch (cause) {
    return refuse(core, request, storeError(cause));
  }
  if (found !== null || optional) return found;
  emitEvent(core, { type: 'auth.denied', at: Date.now(), reason: 'unauthenticated' });
  return refuse(core, request, new StartGuardError('ERR_UNAUTHENTICATED', 'sign-in required'));
}

/** auth.requestMiddleware: the identity for a server route, or a 401 Response. */
export async function identityRoute(core: AuthCore, request: Request): Promise<Identity | Response> {
  const state = stateOf(request);
  if (state?.csrfSeen !== true) {
    return errorResponse(
      new StartGuardError(
        'ERR_CSRF',
        'no CSRF check saw this request: return auth.startOptions() from createStart() in src/start.ts',
      ),
    );
  }
  let found: Identity | null;
  try {
    found = await identityOf(core, request, state);
  } catch (cause) {
    return errorResponse(storeError(cause));
  }
  if (found !== null) return found;
  emitEvent(core, { type: 'auth.denied', at: Date.now(), reason: 'unauthenticated' });
  return errorResponse(new StartGuardError('ERR_UNAUTHENTICATED', 'sign-in required'));
}

/** protect: 'all': every server function needs a session unless it is public. */
export async function protectFn(
  core: AuthCore,
  ctx: object,
  isPublic: (meta: unknown) => boolean,
): Promise<void> {
  if (isPublic((ctx as { serverFnMeta?: unknown }).serverFnMeta)) return;
  await identityFn(core, ctx, false);
}

export async function roleFn(
  core: AuthCore,
  ctx: object,
  user: unknown,
  roles: readonly string[],
): Promise<void> {
  const have = (user as { roles?: unknown } | null)?.roles;
  if (Array.isArray(have) && roles.some((r) => have.includes(r))) return;
  emitEvent(core, { type: 'auth.denied', at: Date.now(), reason: 'role' });
  return refuse(core, await requestOf(ctx), new StartGuardError('ERR_FORBIDDEN', 'not allowed'));
}

export async function whereFn(core: AuthCore, ctx: object, allowed: unknown): Promise<void> {
  if ((await allowed) === true) return;
  emitEvent(core, { type: 'auth.denied', at: Date.now(), reason: 'predicate' });
  return refuse(core, await requestOf(ctx), new StartGuardError('ERR_FORBIDDEN', 'not allowed'));
}

export async function freshFn(core: AuthCore, ctx: object, session: Session<unknown>, withinSeconds: number) {
  if (Date.now() / 1000 - session.authTime <= withinSeconds) return;
  emitEvent(core, {
    type: 'reauth.required',
    at: Date.now(),
    userId: session.userId,
    sessionId: session.id,
  });
  return refuse(
    core,
    await requestOf(ctx),
    new StartGuardError(
      'ERR_REAUTH_REQUIRED',
      `sign in again: this needs a sign-in within ${withinSeconds} s`,
    ),
  );
}

export interface Limiter {
  take(key: string, cost?: number): Promise<{ allowed: boolean; remaining: number; retryAfterMs: number }>;
}

export async function rateLimitFn(
  onEvent: AuthCore['onEvent'],
  ctx: object,
  limiter: Limiter,
  key: (args: { request: Request; data: unknown; context: unknown }) => string | Promise<string>,
): Promise<void> {
  const request = await requestOf(ctx);
  const { data, context } = ctx as { data: unknown; context: unknown };
  const bucket = await key({ request, data, context });
  let verdict;
  try {
    verdict = await limiter.take(bucket);
  } catch (cause) {
    return refuse(undefined, request, storeError(cause));
  }
  if (verdict.allowed) return;
  const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
  emitEvent({ onEvent }, { type: 'ratelimit.blocked', at: Date.now(), reason: 'limit' });
  return refuse(
    undefined,
    request,
    new StartGuardError('ERR_RATE_LIMITED', `too many requests; retry in ${seconds} s`),
    {
      'retry-after': String(seconds),
    },
  );
}

/** A store that failed is a 503, never a silent pass. */
function storeError(cause: unknown): StartGuardError {
  if (isStartGuardError(cause)) return cause;
  return new StartGuardError('ERR_STORE_UNAVAILABLE', 'the session store did not answer', { cause });
}

/** A refusal on a server route (not an RPC): JSON with the code, and the same header. */
function errorResponse(error: StartGuardError): Response {
  return new Response(JSON.stringify({ error: { code: error.code, message: error.message } }), {
    status: error.status ?? 500,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'x-start-guard-error': error.code,
    },
  });
}
