// loginLimits: the limits of a sign-in form (OWASP Authentication Cheat Sheet, "Protect against
// automated attacks"). Three buckets per attempt, on the client and on the identifier as typed
// (normalized), never on whether the account exists, so unknown accounts are limited exactly like
// known ones:
// - client: all of one client's tries, whatever the account; large and quick to refill. The
//   identifier is the attacker's to choose: without it, one address could fill the other two
//   tables with made-up accounts until every new account is refused (see the README).
// - (account, client): one client's tries at one account; small and quick to refill.
// - account: every client's tries at one account; larger and slower. It stops a botnet guessing
//   one password from many addresses, and it is also what an attacker can drain to lock the real
//   user out (the README weighs this).
// The client key 'unknown' (no peer address) is every such request's: it takes from the account
// bucket only.
// A check takes one token from each before the password is verified, so parallel requests
// cannot all pass before the first failure counts; a successful sign-in gives them back, so
// only failures count.
import { UNKNOWN_CLIENT } from '../client-address/client-address';
import { invalidArg, serverOnlyError } from '../errors';
import { type EventSink, type StartGuardEvent, emit } from '../events';
import { serverRuntime } from '../native';
import { bucketSettings as settings, checkName } from './args';
import { clientKey, identifierKey as accountKey } from './keys';
import { type RateLimiter, createRateLimiter } from './limiter';
import type { RateLimitStore } from './types';

export interface BucketSettings {
  capacity: number;
  refillPerSecond: number;
}

export interface LoginLimitsOptions {
  /**
   * All of one client's tries, whatever the account, checked first. Default: 100 at once, then
   * one a second.
   */
  perClientTotal?: BucketSettings;
  /** One client's tries at one account. Default: 5 at once, then one a minute. */
  perClient?: BucketSettings;
  /** All clients' tries at one account. Default: 50 at once, then one every 5 minutes. */
  perAccount?: BucketSettings;
  /** A shared store (start-guard/redis) for several instances; default the in-process table. */
  store?: RateLimitStore;
  /** Prefix of the three limiters' names (default `start-guard:login`). */
  name?: string;
  /** Per bucket kind, the most keys held in process (default 1,000,000). */
  maxKeys?: number;
  onEvent?: EventSink;
}

/** The client as `clientAddress` returns it, or its `limitKey`. */
export type LoginClient = string | { readonly ip?: string | null; readonly limitKey: string };

export interface LoginAttempt {
  allowed: boolean;
  /** 0 when allowed; else when the attempt may be made again (milliseconds). */
  retryAfterMs: number;
  /**
   * The bucket that refused: all of this client's tries (`clientTotal`), this client's tries at
   * the account (`client`), or the account's.
   */
  limitedBy?: 'clientTotal' | 'client' | 'account';
  /** A successful sign-in: gives back what the check took, so only failures count. Idempotent. */
  succeeded(): Promise<void>;
}

export interface LoginCheckOptions {
  /**
   * The client proved it signed in to this identifier before (OWASP "device cookies";
   * start-guard/start's passwordSignIn sets and reads one): it is not held by `perClientTotal`,
   * which a neighbour behind the same shared address (NAT, CGNAT, an office) could have emptied.
   */
  knownDevice?: boolean;
}

export interface LoginResetOptions {
  /**
   * Clear the account-wide bucket too (default true): an operator's unlock. `false` after a
   * user's password reset; then `client` is required.
   */
  account?: boolean;
}

export interface LoginLimits {
  /**
   * Before verifying a password: takes one try from each bucket, or refuses. With `{ knownDevice:
   * true }` (the client proved it signed in to this identifier before: a device cookie) the
   * client's own bucket across accounts is passed; the (account, client) and account buckets
   * never are.
   */
  check(identifier: unknown, client: LoginClient, options?: LoginCheckOptions): Promise<LoginAttempt>;
  /**
   * Clears buckets of an identifier. After a password reset, call it with the resetting client
   * and `{ account: false }`: only that client's bucket at the account is cleared. The account's
   * own bucket (the default, `account: true`) is every client's tries at every identifier that
   * folds to the same key (jose@ and josé@ are one bucket), so clearing it is an operator's
   * unlock: done after a user's own reset, it would let the owner of josé@ refill the bucket
   * guarding jose@ with each reset of their own password.
   */
  reset(identifier: unknown, client?: LoginClient, options?: LoginResetOptions): Promise<void>;
  readonly perClientTotal: RateLimiter;
  readonly perClient: RateLimiter;
  readonly perAccount: RateLimiter;
}

export const DEFAULT_PER_CLIENT_TOTAL: BucketSettings = Object.freeze({ capacity: 100, refillPerSecond: 1 });
export const DEFAULT_PER_CLIENT: BucketSettings = Object.freeze({ capacity: 5, refillPerSecond: 1 / 60 });
export const DEFAULT_PER_ACCOUNT: BucketSettings = Object.freeze({ capacity: 50, refillPerSecond: 1 / 300 });

// Length-prefixed: no client key and account can be made to read as another pair.
const pairKey = (client: string, account: string) => `${client.length}:${client}|${account}`;

export function loginLimits(options: LoginLimitsOptions = {}): LoginLimits {
  if (typeof options !== 'object' || options === null) invalidArg('options', 'an object', options);
  const perClientTotalSettings = settings(
    'options.perClientTotal',
    options.perClientTotal,
    DEFAULT_PER_CLIENT_TOTAL,
  );
  const perClientSettings = settings('options.perClient', options.perClient, DEFAULT_PER_CLIENT);
  const perAccountSettings = settings('options.perAccount', options.perAccount, DEFAULT_PER_ACCOUNT);
  const name = checkName('options.name', options.name) ?? 'start-guard:login';
  const onEvent = options.onEvent;
  // The limiters' own refusals are reported here instead, with the client's address.
  const sink: EventSink | undefined =
    onEvent === undefined ? undefined : (e: StartGuardEvent) => e.type !== 'ratelimit.blocked' && onEvent(e);
  const common = { store: options.store, maxKeys: options.maxKeys, onEvent: sink };
  const perClientTotal = createRateLimiter({
    ...common,
    ...perClientTotalSettings,
    name: `${name}:client-total`,
  });
  const perClient = createRateLimiter({ ...common, ...perClientSettings, name: `${name}:client` });
  const perAccount = createRateLimiter({ ...common, ...perAccountSettings, name: `${name}:account` });

  const limiters = { clientTotal: perClientTotal, client: perClient, account: perAccount };
  const reasons = {
    clientTotal: 'login: this client',
    client: 'login: this client at this account',
    account: 'login: this account',
  };
  const blocked = (limitedBy: LimitedBy, retryAfterMs: number, ip: string | undefined) => {
    const event: StartGuardEvent = {
      type: 'ratelimit.blocked',
      at: Date.now(),
      limiter: limiters[limitedBy].name,
      retryAfterMs,
      reason: reasons[limitedBy],
    };
    if (ip !== undefined) event.ip = ip;
    emit(onEvent, event);
  };

  async function check(
    identifier: unknown,
    client: LoginClient,
    options?: LoginCheckOptions,
  ): Promise<LoginAttempt> {
    if (!serverRuntime) throw serverOnlyError();
    const c = clientKey(client);
    if (options !== undefined && (typeof options !== 'object' || options === null))
      invalidArg('options', 'an object', options);
    const knownDevice = options?.knownDevice ?? false;
    if (typeof knownDevice !== 'boolean') invalidArg('options.knownDevice', 'a boolean', knownDevice);
    // No peer address ('unknown'): one key for every such request, so a bucket on it would be
    // one bucket for all of them, and one client could lock them all out of sign-in. Only the
    // account bucket limits them (clientAddress warned once on stderr; see the README).
    const shared = c.key === UNKNOWN_CLIENT;
    // The client's own bucket first: a client out of tries adds no key to the other two tables
    // (nor costs the folding of its identifier).
    const total = shared || knownDevice ? undefined : await perClientTotal.take(c.key);
    if (total !== undefined && !total.allowed) {
      blocked('clientTotal', total.retryAfterMs, c.ip);
      return refused('clientTotal', total.retryAfterMs);
    }
    // Each give-back goes to the backend that answered its take (the store, or its fallback).
    const giveBackTotal = async () => {
      if (total !== undefined) await perClientTotal.refund(c.key, 1, total);
    };
    const account = accountKey(identifier);
    const pair = pairKey(c.key, account);
    const first = shared ? undefined : await perClient.take(pair);
    if (first !== undefined && !first.allowed) {
      // This attempt goes no further: what it took must not count either.
      await giveBackTotal();
      blocked('client', first.retryAfterMs, c.ip);
      return refused('client', first.retryAfterMs);
    }
    const giveBackPair = async () => {
      if (first !== undefined) await perClient.refund(pair, 1, first);
    };
    const second = await perAccount.take(account);
    if (!second.allowed) {
      await Promise.all([giveBackTotal(), giveBackPair()]);
      blocked('account', second.retryAfterMs, c.ip);
      return refused('account', second.retryAfterMs);
    }
    let pending = true;
    return {
      allowed: true,
      retryAfterMs: 0,
      async succeeded() {
        if (!pending) return;
        pending = false;
        await Promise.all([giveBackTotal(), giveBackPair(), perAccount.refund(account, 1, second)]);
      },
    };
  }

  async function reset(
    identifier: unknown,
    client?: LoginClient,
    options?: LoginResetOptions,
  ): Promise<void> {
    if (options !== undefined && (typeof options !== 'object' || options === null))
      invalidArg('options', 'an object', options);
    const clearAccount = options?.account ?? true;
    if (typeof clearAccount !== 'boolean') invalidArg('options.account', 'a boolean', clearAccount);
    // Checked before anything is cleared: `{ account: false }` without a client would clear nothing.
    const c = client === undefined ? undefined : clientKey(client);
    if (!clearAccount && c === undefined)
      invalidArg('client', 'a client when options.account is false', client);
    const account = accountKey(identifier);
    if (clearAccount) await perAccount.reset(account);
    if (c !== undefined) await perClient.reset(pairKey(c.key, account));
  }

  return { check, reset, perClientTotal, perClient, perAccount };
}

type LimitedBy = NonNullable<LoginAttempt['limitedBy']>;

function refused(limitedBy: LimitedBy, retryAfterMs: number): LoginAttempt {
  return { allowed: false, retryAfterMs, limitedBy, succeeded: async () => {} };
}
