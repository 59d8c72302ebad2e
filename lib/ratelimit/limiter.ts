// createRateLimiter: token buckets per key, in the process-wide native table, or in a shared
// store (start-guard/redis) with the store's outage policy applied here.
import { StartGuardError, invalidArg, isStartGuardError, serverOnlyError } from '../errors';
import { type EventSink, emit } from '../events';
import { serverRuntime } from '../native';
import { checkCapacity, checkCost, checkKey, checkMaxKeys, checkName, checkRefill } from './args';
import { LocalBuckets } from './local';
import type { RateLimitParams, RateLimitResult, RateLimitStore, UnavailablePolicy } from './types';

export interface RateLimiterOptions {
  /**
   * Limiters of one name share their buckets across the process's worker_threads (and one
   * name's settings must agree: another capacity, rate or maxKeys under it is an error).
   * Required with a `store`, which keeps each name's buckets apart (the settings must agree
   * there too, process-wide). Without a name, the limiter has buckets of its own.
   */
  name?: string;
  /** Tokens a full bucket holds: the burst a key may spend at once. */
  capacity: number;
  /** Tokens added back per second (e.g. 5 / 60 for 5 a minute). */
  refillPerSecond: number;
  /**
   * The most keys held in process (default 1,000,000; about 32–48 bytes each). When every
   * bucket is still limiting, new keys are refused rather than a limit forgotten.
   */
  maxKeys?: number;
  /** A shared store (start-guard/redis); without one, the in-process table. */
  store?: RateLimitStore;
  onEvent?: EventSink;
}

export interface RateLimiter {
  readonly name: string | undefined;
  readonly capacity: number;
  readonly refillPerSecond: number;
  /** Takes `cost` tokens from the key's bucket (in-process only: with a store it is a TypeError). */
  takeSync(key: string, cost?: number): RateLimitResult;
  take(key: string, cost?: number): Promise<RateLimitResult>;
  /** What `take` would answer now, changing nothing. */
  peek(key: string, cost?: number): Promise<RateLimitResult>;
  /**
   * Gives `cost` tokens back (a take that should not count), never beyond a full bucket. With
   * `taken`, the answer of the take being given back, the tokens go where that take took them:
   * the store, the in-process fallback table that answered during an outage, or nowhere (a take
   * passed by `'allow'` took nothing). Without it, to the store (the fallback table while the
   * store is unavailable).
   */
  refund(key: string, cost?: number, taken?: RateLimitResult): Promise<void>;
  /** Forgets the key's bucket: it is full again. */
  reset(key: string): Promise<void>;
}

export const DEFAULT_MAX_KEYS = 1_000_000;
/** What a 'deny' policy tells the caller to wait while the store is unavailable. */
export const UNAVAILABLE_RETRY_MS = 1000;
/** How long a limiter waits for a store that does not say how long it may take (`timeoutMs`). */
export const DEFAULT_STORE_DEADLINE_MS = 1000;
// A store that says it answers within `timeoutMs` gets this much more: its own timeout, which
// says why, should fire first.
const STORE_DEADLINE_MARGIN_MS = 250;
const MAX_STORE_TIMEOUT_MS = 600_000;
// Operational events (a full table, an unavailable store) come at most this often per limiter:
// under a key flood or an outage they would otherwise come with every request.
const NOTICE_INTERVAL_MS = 10_000;

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  if (typeof options !== 'object' || options === null) invalidArg('options', 'an object', options);
  const name = checkName('options.name', options.name);
  const capacity = checkCapacity('options.capacity', options.capacity);
  const refillPerSecond = checkRefill('options.refillPerSecond', options.refillPerSecond, capacity);
  const maxKeys = checkMaxKeys('options.maxKeys', options.maxKeys, DEFAULT_MAX_KEYS);
  const store = checkStore(options.store);
  const onEvent = options.onEvent;
  if (onEvent !== undefined && typeof onEvent !== 'function')
    invalidArg('options.onEvent', 'a function', onEvent);
  if (store !== undefined && name === undefined) {
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      'a rate limiter with a store needs a `name` (its buckets in the store)',
    );
  }
  if (!serverRuntime) return inertLimiter(name, capacity, refillPerSecond);

  const params: RateLimitParams = Object.freeze({ name: name ?? '', capacity, refillPerSecond });
  const policy: UnavailablePolicy = store?.onUnavailable ?? 'local';
  const deadlineMs =
    store?.timeoutMs === undefined ? DEFAULT_STORE_DEADLINE_MS : store.timeoutMs + STORE_DEADLINE_MARGIN_MS;
  const label = name ?? 'unnamed';
  let lastFullNotice = -Infinity;
  let lastStoreNotice = -Infinity;

  // The in-process table: the limiter's own, or, with a store, the fallback of the 'local'
  // policy (under its own name, so it never mixes with a store-less limiter of the same name).
  // The fallback is opened now: the native registry then refuses a second store-backed limiter
  // of this name with other settings, process-wide as for store-less ones (both would share the
  // store's buckets), here rather than at the first outage.
  const local: LocalBuckets =
    store === undefined
      ? new LocalBuckets(name ?? null, capacity, refillPerSecond, maxKeys)
      : openFallback(name as string, capacity, refillPerSecond, maxKeys);

  function noticeRefusal(result: RateLimitResult, table: LocalBuckets | undefined): void {
    if (onEvent === undefined) return;
    const at = Date.now();
    if (table?.tableFull) {
      if (at - lastFullNotice < NOTICE_INTERVAL_MS) return;
      lastFullNotice = at;
      emit(onEvent, { type: 'ratelimit.full', at, limiter: label, reason: 'maxKeys' });
      return;
    }
    emit(onEvent, { type: 'ratelimit.blocked', at, limiter: label, retryAfterMs: result.retryAfterMs });
  }

  function localTake(key: string, cost: number): RateLimitResult {
    const result = local.take(key, cost);
    if (!result.allowed) noticeRefusal(result, local);
    return result;
  }

  // The store could not answer: emit (throttled) and answer by the policy.
  function unavailable(error: unknown, answerLocally: () => RateLimitResult, cost: number): RateLimitResult {
    if (!isStartGuardError(error, 'ERR_STORE_UNAVAILABLE')) throw error;
    const at = Date.now();
    if (at - lastStoreNotice >= NOTICE_INTERVAL_MS) {
      lastStoreNotice = at;
      emit(onEvent, { type: 'store.unavailable', at, limiter: label, reason: policy });
    }
    if (policy === 'local') return answerLocally();
    if (policy === 'allow') return { allowed: true, remaining: capacity - cost, retryAfterMs: 0 };
    return { allowed: false, remaining: 0, retryAfterMs: UNAVAILABLE_RETRY_MS };
  }

  function takeSync(key: string, cost: number = 1): RateLimitResult {
    if (store !== undefined) {
      const err = new TypeError('takeSync is in-process only: this rate limiter has a store; use take()');
      (err as TypeError & { code: string }).code = 'ERR_INVALID_ARG_TYPE';
      throw err;
    }
    checkKey(key);
    if (cost !== 1) checkCost(cost, capacity);
    return localTake(key, cost);
  }

  async function storeTake(s: RateLimitStore, key: string, cost: number): Promise<RateLimitResult> {
    let result: RateLimitResult;
    try {
      result = storeAnswer(await within(deadlineMs, s.take(key, cost, params)));
    } catch (error) {
      const fallback = unavailable(error, () => localTake(key, cost), cost);
      // Recorded so a refund of this take goes where it was taken (or nowhere, for 'allow').
      answeredBy.set(fallback, policy === 'local' ? 'local' : 'none');
      return fallback;
    }
    if (!result.allowed) noticeRefusal(result, undefined);
    answeredBy.set(result, 'store');
    return result;
  }

  return {
    name,
    capacity,
    refillPerSecond,
    takeSync,
    take(key: string, cost: number = 1): Promise<RateLimitResult> {
      try {
        if (store === undefined) return Promise.resolve(takeSync(key, cost));
        checkKey(key);
        checkCost(cost, capacity);
        return storeTake(store, key, cost);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async peek(key: string, cost: number = 1): Promise<RateLimitResult> {
      checkKey(key);
      checkCost(cost, capacity);
      if (store === undefined) return local.peek(key, cost);
      try {
        return storeAnswer(await within(deadlineMs, store.peek(key, cost, params)));
      } catch (error) {
        return unavailable(error, () => local.peek(key, cost), cost);
      }
    },
    async refund(key: string, cost: number = 1, taken?: RateLimitResult): Promise<void> {
      checkKey(key);
      checkCost(cost, capacity);
      if (store === undefined) return local.refund(key, cost);
      const backend = taken === undefined ? undefined : answeredBy.get(taken);
      if (backend === 'none') return;
      if (backend === 'local') return local.refund(key, cost);
      try {
        await within(deadlineMs, store.refund(key, cost, params));
      } catch (error) {
        // A refund follows a success (a sign-in that worked): an outage must not fail it. The
        // fallback table gets the tokens only when it is not known that the store took them.
        unavailable(error, () => (backend === undefined && local.refund(key, cost), ALLOWED), cost);
      }
    },
    async reset(key: string): Promise<void> {
      checkKey(key);
      // The fallback table may hold the key too (it answered during an outage).
      local.reset(key);
      if (store !== undefined) await within(deadlineMs, store.reset(key, params));
    },
  };
}

/** The fallback table of a store-backed limiter, refused as the native registry refuses. */
function openFallback(
  name: string,
  capacity: number,
  refillPerSecond: number,
  maxKeys: number,
): LocalBuckets {
  const tableName = `${name} (store unavailable)`;
  try {
    return new LocalBuckets(tableName, capacity, refillPerSecond, maxKeys);
  } catch (error) {
    if (!isStartGuardError(error, 'ERR_INVALID_OPTION')) throw error;
    // The registry's message names the fallback table: name the limiter, and say why it matters.
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      error.message
        .replace(`"${tableName}"`, `"${name}"`)
        .replace('already exists in this process with ', 'already exists in this process on a store with ')
        .replace('share their buckets', "share the store's buckets"),
    );
  }
}

// Which backend answered a store-backed limiter's take ('none': passed by the 'allow' policy), so
// that a refund of it goes there: a refund to a store that never took would leave the shared
// bucket fuller than the truth. Keyed by the answer object, so nothing is added to it.
const answeredBy = new WeakMap<RateLimitResult, 'store' | 'local' | 'none'>();

const ALLOWED: RateLimitResult = Object.freeze({ allowed: true, remaining: 0, retryAfterMs: 0 });

/**
 * The store's answer, checked: anything but a boolean `allowed` and finite, non-negative numbers
 * is a store that cannot answer (ERR_STORE_UNAVAILABLE: the outage policy applies), never an
 * answer passed on (`allowed: 'false'` is truthy).
 */
function storeAnswer(value: unknown): RateLimitResult {
  if (typeof value === 'object' && value !== null) {
    const { allowed, remaining, retryAfterMs } = value as Record<string, unknown>;
    if (typeof allowed === 'boolean' && isCount(remaining) && isCount(retryAfterMs)) {
      return { allowed, remaining, retryAfterMs };
    }
  }
  throw new StartGuardError(
    'ERR_STORE_UNAVAILABLE',
    'the rate-limit store answered something other than { allowed: boolean, remaining, retryAfterMs }',
  );
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * The store's promise, or ERR_STORE_UNAVAILABLE once `ms` have passed without it settling: a
 * store that never answers (a lost connection nobody times out) must not hold requests forever.
 * A late answer is dropped.
 */
function within<T>(ms: number, pending: T | PromiseLike<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new StartGuardError('ERR_STORE_UNAVAILABLE', `the rate-limit store did not answer within ${ms} ms`),
      );
    }, ms);
    Promise.resolve(pending).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function checkStore(value: unknown): RateLimitStore | undefined {
  if (value === undefined) return undefined;
  const s = value as Partial<RateLimitStore> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.take !== 'function' ||
    typeof s.peek !== 'function' ||
    typeof s.refund !== 'function' ||
    typeof s.reset !== 'function'
  ) {
    invalidArg('options.store', 'a rate-limit store (take, peek, refund, reset)', value);
  }
  if (s.onUnavailable !== undefined && !['local', 'allow', 'deny'].includes(s.onUnavailable)) {
    throw new StartGuardError('ERR_INVALID_OPTION', "store.onUnavailable must be 'local', 'allow' or 'deny'");
  }
  if (
    s.timeoutMs !== undefined &&
    !(typeof s.timeoutMs === 'number' && s.timeoutMs > 0 && s.timeoutMs <= MAX_STORE_TIMEOUT_MS)
  ) {
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      `store.timeoutMs must be a number of milliseconds above 0 and at most ${MAX_STORE_TIMEOUT_MS}`,
    );
  }
  return s as RateLimitStore;
}

// The browser build: constructing is free (route modules that build limiters run there too),
// using is ERR_SERVER_ONLY.
function inertLimiter(name: string | undefined, capacity: number, refillPerSecond: number): RateLimiter {
  const refuse = (): never => {
    throw serverOnlyError();
  };
  const refuseAsync = async (): Promise<never> => refuse();
  return {
    name,
    capacity,
    refillPerSecond,
    takeSync: refuse,
    take: refuseAsync,
    peek: refuseAsync,
    refund: refuseAsync,
    reset: refuseAsync,
  };
}
