// createRedisRateLimitStore: the rate-limit store contract (lib/ratelimit/types.ts) on Redis, so
// one limit holds across every instance of an app. The limiter applies `onUnavailable` when a
// call rejects with ERR_STORE_UNAVAILABLE.
import { StartGuardError, invalidArg } from '../errors';
import { checkCapacity, checkCost, checkKey, checkName, checkRefill } from '../ratelimit/args';
import type { RateLimitParams, RateLimitResult, RateLimitStore, UnavailablePolicy } from '../ratelimit/types';
import { RedisLink } from './client';
import { digest } from './keys';
import { type RedisStoreOptions, checkStoreOptions } from './options';
import { RATE_SCRIPT, type RateBucket, rateResult } from './rate-script';
import { RedisScript } from './script';

export interface RedisRateLimitStoreOptions extends RedisStoreOptions {
  /**
   * What a limiter on this store does while Redis cannot answer (default `'local'`): `'local'`
   * answers from the limiter's own in-process table (limits hold per instance), `'allow'` lets
   * requests through, `'deny'` refuses them (`retryAfterMs` 1000).
   */
  onUnavailable?: UnavailablePolicy;
}

export interface RedisRateLimitStore extends RateLimitStore {
  readonly onUnavailable: UnavailablePolicy;
  /** The longest a call waits for Redis: the limiter's own deadline follows it. */
  readonly timeoutMs: number;
  /** Stops listening to the client; later calls reject with ERR_STORE_UNAVAILABLE. */
  close(): Promise<void>;
}

const script = new RedisScript(RATE_SCRIPT);

/** What the script needs of a limiter's params, derived once per limiter. */
interface Bucket extends RateBucket {
  keyPrefix: string;
  capacity: number;
  /** The burst as the script's decimal argument (the same double as `burst`). */
  burstArg: string;
  /** cost × interval for a take of 1, the usual cost, as the script's argument. */
  oneArg: string;
}

export function createRedisRateLimitStore(options: RedisRateLimitStoreOptions): RedisRateLimitStore {
  const { client, prefix, timeoutMs, onEvent } = checkStoreOptions(options);
  const onUnavailable = checkPolicy(options.onUnavailable);
  const link = new RedisLink({ client, timeoutMs, onEvent, label: 'rate limit' });
  // A limiter passes the same frozen params on every call: derive the script's numbers once.
  const buckets = new WeakMap<RateLimitParams, Bucket>();

  function bucket(params: RateLimitParams): Bucket {
    let b = buckets.get(params);
    if (b === undefined) {
      b = deriveBucket(prefix, params);
      buckets.set(params, b);
    }
    return b;
  }

  function run(op: string, key: string, cost: number, b: Bucket): Promise<unknown> {
    const owed = cost === 1 ? b.oneArg : String(cost * b.interval);
    return link.evalsha(script, [
      'EVALSHA',
      script.sha,
      '1',
      b.keyPrefix + digest(key),
      op,
      owed,
      b.burstArg,
    ]);
  }

  /**
   * The bucket of `params` once the call's arguments are checked as the limiter checks them (a
   * store may be called directly): a TypeError or RangeError naming the argument, never a Redis
   * error or a bucket gone negative.
   */
  function checked(key: unknown, cost: unknown, params: RateLimitParams): Bucket {
    checkKey(key);
    const b = bucket(params);
    if (cost !== 1) checkCost(cost, b.capacity);
    return b;
  }

  function answer(op: string, key: string, cost: number, params: RateLimitParams): Promise<RateLimitResult> {
    let b: Bucket;
    try {
      b = checked(key, cost, params);
    } catch (error) {
      // A promise-returning method rejects; it never throws.
      return Promise.reject(error);
    }
    return run(op, key, cost, b).then((reply) => {
      const result = rateResult(reply, cost, b);
      if (result === null) {
        throw new StartGuardError(
          'ERR_STORE_UNAVAILABLE',
          'the Redis rate limit store gave an unexpected reply',
        );
      }
      return result;
    });
  }

  return {
    onUnavailable,
    timeoutMs,
    take(key, cost, params) {
      return answer('t', key, cost, params);
    },
    peek(key, cost, params) {
      return answer('p', key, cost, params);
    },
    async refund(key, cost, params) {
      await run('r', key, cost, checked(key, cost, params));
    },
    async reset(key, params) {
      checkKey(key);
      await link.call(['DEL', bucket(params).keyPrefix + digest(key)]);
    },
    async close() {
      link.close();
    },
  };
}

// The native table's parameters (native/core/gcra.cpp make_params): the emission interval is
// 1e9 / refill rounded to the nearest nanosecond, ties to even (as C's nearbyint), and the burst
// is capacity × interval (exact below 2^53 ns; the nearest double beyond, in the script and here).
function deriveBucket(prefix: string, params: RateLimitParams): Bucket {
  if (typeof params !== 'object' || params === null) invalidArg('params', 'the limiter params', params);
  // As the limiter's: a name with a lone surrogate would reach Redis as U+FFFD, another's key.
  if (params.name === undefined) invalidArg('params.name', 'a non-empty string', params.name);
  checkName('params.name', params.name);
  const capacity = checkCapacity('params.capacity', params.capacity);
  const refill = checkRefill('params.refillPerSecond', params.refillPerSecond, capacity);
  const exact = 1e9 / refill;
  let interval = Math.round(exact);
  if (interval - exact === 0.5 && interval % 2 !== 0) interval -= 1;
  const burst = Number(BigInt(capacity) * BigInt(interval));
  return {
    keyPrefix: `${prefix}rl:${params.name}:`,
    capacity,
    interval,
    burst,
    burstArg: String(burst),
    oneArg: String(interval),
  };
}

function checkPolicy(value: unknown): UnavailablePolicy {
  if (value === undefined) return 'local';
  if (value !== 'local' && value !== 'allow' && value !== 'deny') {
    invalidArg('options.onUnavailable', "'local', 'allow' or 'deny'", value);
  }
  return value;
}
