// createAuth: the middleware a Start app puts on its server functions, server routes and
// src/start.ts. Each middleware is a real Start middleware whose .server() part delegates to
// server.ts; in the browser build that module is swapped for inert stand-ins, so client bundles
// carry the middleware objects but none of the server code.
import type { AnySerializationAdapter } from '@tanstack/react-router';
import { StartGuardError } from 'start-guard';
import type {
  ClientAddress,
  EmailVerification,
  EventSink,
  PasswordReset,
  Session,
  SessionManager,
  VerifiedEmail,
} from 'start-guard';
import { type AuthCore } from './core.js';
import type { CsrfOptions } from './csrf.js';
import { createMiddleware } from './framework.js';
import type { IronMigrationOptions, MigratedSession } from './migrate-iron.js';
import type {
  PasswordAccount,
  PasswordSignInOptions,
  PasswordSignInResult,
  PasswordVerifier,
  SignInLimits,
} from './password-sign-in.js';
import { type PublicServerFn, publicMatcher } from './public-fns.js';
import { startGuardSerializationAdapter } from './serialization.js';
import {
  type Limiter,
  type RateLimitKeyArgs,
  clientAddressFn,
  csrfRequest,
  emailVerificationHelpers,
  freshFn,
  getSessionFlow,
  identityFn,
  identityRoute,
  passwordResetHelpers,
  passwordSignInFlow,
  protectFn,
  rateLimitFn,
  roleFn,
  serverInit,
  sessionRequest,
  signInFlow,
  signOutFlow,
  updateSessionFlow,
  whereFn,
} from './server.js';
import type { ClientSession, SignInOptions, SignOutScope } from './session-flows.js';

export interface AuthOptions<TData, TUser, TClient = unknown> {
  sessions: SessionManager<TData>;
  /** The only source of context.user; null or undefined means no user (401). Roles: user.roles. */
  loadUser: (session: Session<TData>) => TUser | null | undefined | Promise<TUser | null | undefined>;
  /** What getSession may send to the browser: nothing of the user but what this returns. */
  toClient?: (user: NonNullable<TUser>, session: Session<TData>) => TClient | Promise<TClient>;
  /**
   * The proxies in front of the app (CIDRs or addresses): the client is then the rightmost
   * X-Forwarded-For hop that is not one of them. Unset: the connection's peer.
   */
  trustProxy?: readonly string[];
  /** Re-issues old iron-sealed cookies (iron-session, Start's removed useSession) until `until`. */
  migrate?: { iron: IronMigrationOptions<TData> };
  onEvent?: EventSink;
  /**
   * What a page request (SSR) without a session gets from a guarded function: 'error' (the
   * route's error boundary) or a path to redirect to, with ?returnTo=. RPC calls always get 401.
   */
  onUnauthenticated?: 'error' | (string & {});
}

export interface StartOptionsInput {
  csrf?: CsrfOptions;
  /** Appended after start-guard's error adapter. */
  serializationAdapters?: readonly AnySerializationAdapter[];
  /** 'all': every server function needs a session unless listed in `public`. Default 'none'. */
  protect?: 'none' | 'all';
  public?: readonly PublicServerFn[];
}

export interface RateLimitOptions {
  limiter: Limiter;
  /** Names the bucket; `client.limitKey` is the client under createAuth's trustProxy. */
  key: (args: RateLimitKeyArgs) => string | Promise<string>;
}

export type {
  ClientSession,
  CsrfOptions,
  IronMigrationOptions,
  Limiter,
  MigratedSession,
  PasswordAccount,
  PasswordSignInOptions,
  PasswordSignInResult,
  PasswordVerifier,
  PublicServerFn,
  RateLimitKeyArgs,
  SignInLimits,
  SignInOptions,
  SignOutScope,
};

function buildAuth<TData, TUser, TClient>(core: AuthCore) {
  type Ctx = { session: Session<TData>; user: TUser };
  type OptionalCtx = { session: Session<TData> | null; user: TUser | null };

  const middleware = createMiddleware({ type: 'function' }).server(async (ctx) => {
    const found = (await identityFn(core, ctx, false)) as Ctx;
    return ctx.next({ context: { session: found.session, user: found.user } });
  });

  const optional = createMiddleware({ type: 'function' }).server(async (ctx) => {
    const found = (await identityFn(core, ctx, true)) as Ctx | null;
    const context: OptionalCtx = { session: found?.session ?? null, user: found?.user ?? null };
    return ctx.next({ context });
  });

  const sessionMiddleware = createMiddleware().server(async (ctx) => {
    await sessionRequest(core, ctx.request);
    return ctx.next();
  });

  const requestMiddleware = createMiddleware().server(async (ctx) => {
    const found = await identityRoute(core, ctx.request);
    if (found instanceof Response) return found;
    const { session, user } = found as Ctx;
    return ctx.next({ context: { session, user } });
  });

  function requireRole(...roles: string[]) {
    if (roles.length === 0 || roles.some((r) => typeof r !== 'string' || r.length === 0)) {
      throw new StartGuardError('ERR_INVALID_OPTION', 'requireRole takes one or more role names');
    }
    return createMiddleware({ type: 'function' })
      .middleware([middleware])
      .server(async (ctx) => {
        await roleFn(core, ctx, ctx.context.user, roles);
        return ctx.next();
      });
  }

  function requireWhere(
    predicate: (args: { user: TUser; session: Session<TData>; data: unknown }) => boolean | Promise<boolean>,
  ) {
    if (typeof predicate !== 'function') throw new TypeError('The "predicate" argument must be a function');
    return createMiddleware({ type: 'function' })
      .middleware([middleware])
      .server(async (ctx) => {
        const { user, session } = ctx.context;
        await whereFn(core, ctx, predicate({ user, session, data: ctx.data }));
        return ctx.next();
      });
  }

  function requireFresh(options: { withinSeconds: number }) {
    const within = options?.withinSeconds;
    if (typeof within !== 'number' || !Number.isFinite(within) || within <= 0) {
      throw new StartGuardError(
        'ERR_INVALID_OPTION',
        'requireFresh: withinSeconds must be a positive number',
      );
    }
    return createMiddleware({ type: 'function' })
      .middleware([middleware])
      .server(async (ctx) => {
        await freshFn(core, ctx, ctx.context.session, within);
        return ctx.next();
      });
  }

  function rateLimit(options: RateLimitOptions) {
    if (typeof options?.limiter?.take !== 'function') {
      throw new TypeError('The "limiter" option must have a take(key, cost?) method');
    }
    if (typeof options.key !== 'function') throw new TypeError('The "key" option must be a function');
    return createMiddleware({ type: 'function' }).server(async (ctx) => {
      await rateLimitFn(core, ctx, options.limiter, options.key);
      return ctx.next();
    });
  }

  function csrf(options: CsrfOptions = {}) {
    checkCsrfOptions(options);
    return createMiddleware().server(async (ctx) => {
      const refusal = await csrfRequest(options, core.onEvent, ctx);
      return refusal ?? ctx.next();
    });
  }

  let last: { input: StartOptionsInput; output: ReturnType<typeof build> } | undefined;
  function build(input: StartOptionsInput) {
    const protect = input.protect ?? 'none';
    if (protect !== 'none' && protect !== 'all') {
      throw new StartGuardError('ERR_INVALID_OPTION', "protect must be 'none' or 'all'");
    }
    const functionMiddleware = [];
    if (protect === 'all') {
      const isPublic = publicMatcher(input.public ?? []);
      functionMiddleware.push(
        createMiddleware({ type: 'function' }).server(async (ctx) => {
          await protectFn(core, ctx, isPublic);
          return ctx.next();
        }),
      );
    } else if (input.public !== undefined) {
      throw new StartGuardError('ERR_INVALID_OPTION', "public is only meaningful with protect: 'all'");
    }
    return {
      requestMiddleware: [csrf(input.csrf), sessionMiddleware],
      functionMiddleware,
      serializationAdapters: [startGuardSerializationAdapter, ...(input.serializationAdapters ?? [])],
    };
  }

  /**
   * What `createStart(() => auth.startOptions({...}))` returns. Start calls that function on every
   * request, so the result is built once and reused while the options are the same.
   */
  function startOptions(input: StartOptionsInput = {}) {
    if (typeof input !== 'object' || input === null)
      throw new TypeError('The "options" argument must be an object');
    if (last === undefined || !sameInput(last.input, input)) last = { input, output: build(input) };
    return last.output;
  }

  // ---- the flows: called inside the app's own server functions ------------------------------

  /** Signs the user in: a new session (new id), and the one this request came with revoked. */
  function signIn(userId: string, data: TData, options?: SignInOptions): Promise<Session<TData>> {
    return signInFlow(core, userId, data, options) as Promise<Session<TData>>;
  }

  /** New data for this request's session (same id, same deadlines); 401 without a session. */
  function updateSession(data: TData): Promise<Session<TData>> {
    return updateSessionFlow(core, data) as Promise<Session<TData>>;
  }

  /**
   * 'this' (default): this session ends. 'all': every session of the user ends. 'others': every
   * other session ends, and this one goes on under a new id.
   */
  function signOut(options?: { scope?: SignOutScope }): Promise<void> {
    return signOutFlow(core, options);
  }

  /** This request's session (without its data) and toClient's user, or null; once per request. */
  function getSession(): Promise<{ session: ClientSession; user: Awaited<TClient> } | null> {
    return getSessionFlow(core) as Promise<{ session: ClientSession; user: Awaited<TClient> } | null>;
  }

  /**
   * A password sign-in: limits, lookup, one verification whatever the account, the same refusal
   * (401 ERR_INVALID_CREDENTIALS, or 429 ERR_RATE_LIMITED) for unknown accounts and wrong
   * passwords, rehash when outdated, and a fresh session.
   */
  function passwordSignIn<TAccount extends PasswordAccount>(
    options: PasswordSignInOptions<TAccount, TData>,
  ): Promise<{ user: Omit<TAccount, 'passwordHash'>; session: Session<TData> }> {
    return passwordSignInFlow(core, options) as Promise<{
      user: Omit<TAccount, 'passwordHash'>;
      session: Session<TData>;
    }>;
  }

  /** The client of the request being handled, under trustProxy: `{ ip, limitKey }`. */
  function clientAddress(): Promise<ClientAddress> {
    return clientAddressFn(core);
  }

  /** Password reset inside server functions: the client's address, 429s, no-referrer. */
  function passwordReset(resets: PasswordReset): {
    request(identifier: unknown): Promise<{ ok: true }>;
    check(token: unknown): Promise<boolean>;
    complete(token: unknown, newPassword: unknown): Promise<boolean>;
  } {
    return passwordResetHelpers(core, resets);
  }

  /** E-mail verification inside server functions, the same way. */
  function emailVerification(verification: EmailVerification): {
    request(user: { id: string; email: string }): Promise<{ ok: true }>;
    check(token: unknown): Promise<VerifiedEmail | null>;
    complete(token: unknown): Promise<VerifiedEmail | null>;
  } {
    return emailVerificationHelpers(core, verification);
  }

  return {
    middleware,
    optional,
    sessionMiddleware,
    requestMiddleware,
    requireRole,
    requireWhere,
    requireFresh,
    rateLimit,
    csrf,
    startOptions,
    signIn,
    updateSession,
    signOut,
    getSession,
    passwordSignIn,
    clientAddress,
    passwordReset,
    emailVerification,
    sessions: core.sessions as SessionManager<TData>,
  };
}

export type Auth<TData, TUser, TClient = unknown> = ReturnType<typeof buildAuth<TData, TUser, TClient>>;

export function createAuth<TData, TUser, TClient = unknown>(
  options: AuthOptions<TData, TUser, TClient>,
): Auth<TData, NonNullable<TUser>, TClient> {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('The "options" argument must be an object');
  const { sessions, loadUser } = options;
  if (typeof sessions?.read !== 'function') {
    throw new TypeError('The "sessions" option must be a session manager (createSessionManager)');
  }
  if (typeof loadUser !== 'function') throw new TypeError('The "loadUser" option must be a function');
  const onUnauthenticated = options.onUnauthenticated ?? 'error';
  if (
    typeof onUnauthenticated !== 'string' ||
    (onUnauthenticated !== 'error' && !onUnauthenticated.startsWith('/'))
  ) {
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      "onUnauthenticated must be 'error' or a path starting with /",
    );
  }
  const { toClient } = options;
  if (toClient !== undefined && typeof toClient !== 'function')
    throw new TypeError('The "toClient" option must be a function');
  const server = serverInit({
    trustProxy: options.trustProxy,
    migrate: options.migrate,
    cookieName: sessions.cookieName,
  });
  return buildAuth<TData, NonNullable<TUser>, TClient>({
    sessions: sessions as SessionManager<unknown>,
    loadUser: loadUser as AuthCore['loadUser'],
    toClient: toClient as AuthCore['toClient'],
    trustProxy: server.trustProxy,
    migrate: server.migrate,
    onEvent: options.onEvent,
    onUnauthenticated,
  });
}

function checkCsrfOptions(options: CsrfOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('The "csrf" option must be an object');
  const { allowedOrigins, exempt } = options;
  if (allowedOrigins !== undefined) {
    if (!Array.isArray(allowedOrigins))
      throw new TypeError('csrf.allowedOrigins must be an array of origins');
    for (const o of allowedOrigins) {
      // An origin is scheme://host[:port], nothing more: 'null' or a path would never match safely.
      let parsed: URL | undefined;
      try {
        parsed = new URL(o);
      } catch {
        parsed = undefined;
      }
      if (parsed === undefined || parsed.origin !== o) {
        throw new StartGuardError(
          'ERR_INVALID_OPTION',
          `csrf.allowedOrigins: "${String(o)}" is not an origin (https://host[:port])`,
        );
      }
    }
  }
  if (exempt !== undefined && typeof exempt !== 'function' && !Array.isArray(exempt)) {
    throw new TypeError('csrf.exempt must be an array of paths or a function');
  }
}

// Start calls the createStart callback per request, usually with a fresh options literal: the same
// options (by value for lists, by identity for functions) reuse the middleware already built.
function sameInput(a: StartOptionsInput, b: StartOptionsInput): boolean {
  if (a === b) return true;
  return (
    a.protect === b.protect &&
    sameList(a.public, b.public) &&
    sameList(a.serializationAdapters, b.serializationAdapters) &&
    (a.csrf === b.csrf ||
      (a.csrf !== undefined &&
        b.csrf !== undefined &&
        sameList(a.csrf.allowedOrigins, b.csrf.allowedOrigins) &&
        (a.csrf.exempt === b.csrf.exempt ||
          (Array.isArray(a.csrf.exempt) &&
            Array.isArray(b.csrf.exempt) &&
            sameList(a.csrf.exempt, b.csrf.exempt)))))
  );
}

function sameList(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  return a.every((v, i) => v === b[i]);
}
