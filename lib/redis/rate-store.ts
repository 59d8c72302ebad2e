// createRedisRateLimitStore: the rate-limit store contract (lib/ratelimit/types.ts) on Redis, so
// one limit holds across every instance of an app. The limiter applies `onUnavailable` when a
// call rejects with ERR_STORE_UNAVAILABLE.
import { StartGuardError, invalidArg } from '../errors';
import { checkCapacity, checkRefill } from '../ratelimit/args';
import type { RateLimitParams, RateLimitResult, RateLimitStore, UnavailablePolicy } from '../ratelimit/types';
import { RedisLink } from './client';
import { digest } from './keys';
import { type RedisStoreOptions, checkStoreOptions } from './options';
import { RATE_SCRIPT } from './rate-script';
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
  /** Stops listening to the client; later calls reject with ERR_STORE_UNAVAILABLE. */
  close(): Promise<void>;
}

const script = new RedisScript(RATE_SCRIPT);

/** What the script needs of a limiter's params, in integer nanoseconds as decimal text. */
interface Bucket {
  keyPrefix: string;
  interval: string;
  burst: string;
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

  async function run(op: string, key: string, cost: number, params: RateLimitParams): Promise<unknown> {
    const b = bucket(params);
    return script.run(link, [b.keyPrefix + digest(key)], [op, String(cost), b.interval, b.burst]);
  }

  return {
    onUnavailable,
    async take(key, cost, params) {
      return answer(await run('take', key, cost, params));
    },
    async peek(key, cost, params) {
      return answer(await run('peek', key, cost, params));
    },
    async refund(key, cost, params) {
      await run('refund', key, cost, params);
    },
    async reset(key, params) {
      await link.call(['DEL', bucket(params).keyPrefix + digest(key)]);
    },
    async close() {
      link.close();
    },
  };
}

function answer(reply: unknown): RateLimitResult {
  if (!Array.isArray(reply) || reply.length !== 3) {
    throw new StartGuardError('ERR_STORE_UNAVAILABLE', 'the Redis rate limit store gave an unexpected reply');
  }
  return { allowed: reply[0] === 1, remaining: Number(reply[1]), retryAfterMs: Number(reply[2]) };
}

// The native table's parameters (native/core/gcra.cpp make_params): the emission interval is
// 1e9 / refill rounded to the nearest nanosecond, ties to even (as C's nearbyint), and the burst
// is capacity × interval, computed exactly.
function deriveBucket(prefix: string, params: RateLimitParams): Bucket {
  if (typeof params !== 'object' || params === null) invalidArg('params', 'the limiter params', params);
  if (typeof params.name !== 'string' || params.name.length === 0)
    invalidArg('params.name', 'a non-empty string', params.name);
  const capacity = checkCapacity('params.capacity', params.capacity);
  const refill = checkRefill('params.refillPerSecond', params.refillPerSecond, capacity);
  const exact = 1e9 / refill;
  let interval = Math.round(exact);
  if (interval - exact === 0.5 && interval % 2 !== 0) interval -= 1;
  return {
    keyPrefix: `${prefix}rl:${params.name}:`,
    interval: String(interval),
    burst: (BigInt(capacity) * BigInt(interval)).toString(),
  };
}

function checkPolicy(value: unknown): UnavailablePolicy {
  if (value === undefined) return 'local';
  if (value !== 'local' && value !== 'allow' && value !== 'deny') {
    invalidArg('options.onUnavailable', "'local', 'allow' or 'deny'", value);
  }
  return value;
}
