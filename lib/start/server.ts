// The server side of every middleware: what runs inside their .server() parts. The browser build
// swaps this module for server.browser.ts, so none of it (nor @tanstack/react-start/server) is in
// a client bundle. Start's server helpers are imported lazily, on the first request.
import { StartGuardError } from 'start-guard';
import type { ClientAddress, Session } from 'start-guard';
import { clientOf } from './client.js';
import type { AuthCore } from './core.js';
import { emitEvent } from './core.js';
import { type CsrfOptions, csrfVerdict } from './csrf.js';
import { type Identity, identityOf, mayHaveSession } from './identity.js';
import { resolveMigration } from './migrate-iron.js';
import { ensureState, stateOf } from './request-state.js';
import {
  errorResponse,
  markNoStore,
  refuse,
  refuseLimited,
  requestOf,
  requireCsrfSeen,
  storeError,
} from './respond.js';
import { checkStartVersion } from './version.js';

export { emailVerificationHelpers, passwordResetHelpers } from './email-flows.js';
export { passwordSignInFlow } from './password-sign-in.js';
export { getSessionFlow, signInFlow, signOutFlow, updateSessionFlow } from './session-flows.js';
export type { Identity };

/** Checks what only the server reads: Start's version, the proxies, the migration. */
export function serverInit(options: {
  trustProxy: unknown;
  migrate: unknown;
  cookieName: string;
}): Pick<AuthCore, 'trustProxy' | 'migrate'> {
  checkStartVersion();
  const { trustProxy } = options;
  if (trustProxy !== undefined) {
    if (!Array.isArray(trustProxy) || trustProxy.some((c) => typeof c !== 'string')) {
      throw new TypeError('The "trustProxy" option must be an array of CIDRs or addresses');
    }
  }
  return {
    trustProxy: trustProxy === undefined ? undefined : Object.freeze([...(trustProxy as string[])]),
    migrate: resolveMigration(options.migrate, options.cookieName),
  };
}

/** auth.clientAddress(): the client of the request being handled. */
export async function clientAddressFn(core: AuthCore): Promise<ClientAddress> {
  const request = await requestOf();
  return clientOf(core, request, stateOf(request));
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
  if (!mayHaveSession(core, request)) return;
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

export interface RateLimitKeyArgs {
  request: Request;
  data: unknown;
  context: unknown;
  /** The client's address under createAuth's trustProxy (`client.limitKey` keys one client). */
  readonly client: ClientAddress;
}

export async function rateLimitFn(
  core: AuthCore,
  ctx: object,
  limiter: Limiter,
  key: (args: RateLimitKeyArgs) => string | Promise<string>,
): Promise<void> {
  const request = await requestOf(ctx);
  const { data, context } = ctx as { data: unknown; context: unknown };
  const client = await clientOf(core, request, stateOf(request));
  const bucket = await key({ request, data, context, client });
  let verdict;
  try {
    verdict = await limiter.take(bucket);
  } catch (cause) {
    return refuse(undefined, request, storeError(cause));
  }
  if (verdict.allowed) return;
  emitEvent(core, {
    type: 'ratelimit.blocked',
    at: Date.now(),
    reason: 'limit',
    ...(client.ip === null ? {} : { ip: client.ip }),
  });
  return refuseLimited(request, verdict.retryAfterMs, 'too many requests');
}
