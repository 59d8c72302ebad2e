// The rate-limit result, and the store contract: what start-guard/redis (or any shared store)
// implements so that one limit holds across every instance of an app.

/** The answer to a take (or a peek: what a take would answer). */
export interface RateLimitResult {
  allowed: boolean;
  /** Whole tokens left in the bucket (after the take, when allowed). */
  remaining: number;
  /** 0 when allowed; else the milliseconds until the same take would be allowed (rounded up). */
  retryAfterMs: number;
}

/** What a limiter tells its store about the bucket: the same for every key of the limiter. */
export interface RateLimitParams {
  /** The limiter's name: a store keeps each name's buckets apart. */
  readonly name: string;
  /** Tokens a full bucket holds. */
  readonly capacity: number;
  /** Tokens added back per second, up to `capacity`. */
  readonly refillPerSecond: number;
}

/** What a limiter does when its store is unavailable. */
export type UnavailablePolicy = 'local' | 'allow' | 'deny';

/**
 * A shared bucket store. Every method gets the key exactly as the application passed it (an IP
 * address, an e-mail): a store that keeps keys outside the process should hash them.
 *
 * Buckets are token buckets (GCRA allowed): a bucket starts full with `capacity` tokens and
 * refills at `refillPerSecond`; a take of `cost` tokens (1 <= cost <= capacity, checked by the
 * limiter) is allowed when the bucket holds them, and a refused take changes nothing.
 *
 * Failure: a store that cannot answer (down, slow past its own timeout) rejects with a
 * `StartGuardError` of code `ERR_STORE_UNAVAILABLE`; the limiter then applies `onUnavailable`.
 * Any other rejection reaches the caller as it is. The limiter treats as unavailable too an
 * answer that is not `{ allowed: boolean, remaining, retryAfterMs }` with finite, non-negative
 * numbers, and a call that has not settled by its deadline: `timeoutMs` + 250 ms when the store
 * declares `timeoutMs`, else 1000 ms.
 */
export interface RateLimitStore {
  /**
   * Applied by the limiter when a call rejects with `ERR_STORE_UNAVAILABLE` (default `'local'`):
   * `'local'` answers from the limiter's own in-process table, `'allow'` lets the request through,
   * `'deny'` refuses it (`retryAfterMs` 1000).
   */
  readonly onUnavailable?: UnavailablePolicy;
  /**
   * The longest a call of this store takes before it answers or rejects with
   * `ERR_STORE_UNAVAILABLE` (its own timeout). The limiter gives up on a call 250 ms after it;
   * without it, after 1000 ms.
   */
  readonly timeoutMs?: number;
  take(key: string, cost: number, params: RateLimitParams): Promise<RateLimitResult>;
  /** What `take` would answer now, changing nothing. */
  peek(key: string, cost: number, params: RateLimitParams): Promise<RateLimitResult>;
  /** Gives `cost` tokens back (a take that should not count), never beyond a full bucket. */
  refund(key: string, cost: number, params: RateLimitParams): Promise<void>;
  /** Forgets the key's bucket: it is full again. */
  reset(key: string, params: RateLimitParams): Promise<void>;
}
