// Options shared by both Redis stores, checked at once (a wrong one is a programmer error).
import { invalidArg, outOfRangeArg } from '../errors';
import type { EventSink } from '../events';
import type { RedisClientLike, RedisClusterLike } from './client';
import { checkPrefix } from './keys';

export interface RedisStoreOptions {
  /**
   * A connected node-redis client (`createClient()` or, for Redis Cluster, `createCluster()`
   * from `redis` >= 5); it stays yours to close.
   */
  client: RedisClientLike | RedisClusterLike;
  /**
   * Prepended to every key (default `'start-guard:'`). Give each app and environment its own
   * (`'myapp:prod:'`): stores that share a prefix share their buckets and revocations.
   */
  prefix?: string;
  /**
   * The longest a call waits for Redis (default 250 ms), after which it rejects with
   * ERR_STORE_UNAVAILABLE. A client that is not connected is refused at once.
   */
  timeoutMs?: number;
  /** `store.unavailable` events (at most one per 10 s): Redis down, slow or refusing. */
  onEvent?: EventSink;
}

export const DEFAULT_TIMEOUT_MS = 250;
const MAX_TIMEOUT_MS = 60_000;

export function checkStoreOptions(options: unknown): {
  client: unknown;
  prefix: string;
  timeoutMs: number;
  onEvent: EventSink | undefined;
} {
  if (typeof options !== 'object' || options === null) invalidArg('options', 'an object', options);
  const o = options as Partial<RedisStoreOptions>;
  const prefix = checkPrefix(o.prefix);
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (o.timeoutMs !== undefined) {
    if (typeof o.timeoutMs !== 'number') invalidArg('options.timeoutMs', 'a number', o.timeoutMs);
    if (!Number.isInteger(o.timeoutMs) || o.timeoutMs < 1 || o.timeoutMs > MAX_TIMEOUT_MS) {
      outOfRangeArg(
        'options.timeoutMs',
        `must be an integer from 1 to ${MAX_TIMEOUT_MS}; received ${o.timeoutMs}`,
      );
    }
    timeoutMs = o.timeoutMs;
  }
  if (o.onEvent !== undefined && typeof o.onEvent !== 'function')
    invalidArg('options.onEvent', 'a function', o.onEvent);
  return { client: o.client, prefix, timeoutMs, onEvent: o.onEvent };
}
