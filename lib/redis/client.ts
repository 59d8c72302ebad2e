// The adapter: the one place that touches the application's Redis client (node-redis >= 5:
// `createClient`, or `createCluster` for Redis Cluster). The stores see only `RedisLink.call` and
// `send`, which answer within their deadline or reject with ERR_STORE_UNAVAILABLE: a client that
// is reconnecting, or a server that stopped answering, never holds a request.
import { StartGuardError, invalidArg } from '../errors';
import { type EventSink, emit } from '../events';

interface ErrorEvents {
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * What the stores use of a node-redis client (`createClient()` from `redis` >= 5, connected by
 * the application). Types, not an import: loading start-guard/redis never loads a client.
 */
export interface RedisClientLike extends ErrorEvents {
  /** node-redis: true while connected and past its handshake. */
  readonly isReady: boolean;
  sendCommand(args: ReadonlyArray<string>, options?: { timeout?: number }): Promise<unknown>;
}

/** The same of a node-redis cluster client (`createCluster()`): commands are routed by key. */
export interface RedisClusterLike extends ErrorEvents {
  readonly isReady: boolean;
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
    options?: { timeout?: number },
  ): Promise<unknown>;
  getSlotMaster(slot: number): unknown;
}

type Send = (args: ReadonlyArray<string>, wait: number) => Promise<unknown>;

/** Replies that mean "Redis cannot answer now" (loading after a restart, a failover, a full disk…). */
const UNAVAILABLE_REPLIES =
  /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|OOM|MISCONF|NOREPLICAS|UNBLOCKED)\b/;
// Operational events come at most this often per store: an outage would otherwise bring one per
// request.
const NOTICE_INTERVAL_MS = 10_000;

export interface RedisLinkOptions {
  client: unknown;
  timeoutMs: number;
  onEvent: EventSink | undefined;
  /** Which store this is, for its events and errors ('rate limit', 'revocation'). */
  label: string;
}

export class RedisLink {
  readonly #client: RedisClientLike | RedisClusterLike;
  readonly #send: Send;
  readonly #cluster: boolean;
  readonly #label: string;
  readonly #onEvent: EventSink | undefined;
  readonly timeoutMs: number;
  #lastNotice = -Infinity;
  #closed = false;
  // node-redis emits 'error' for every failed connection attempt; an EventEmitter with no 'error'
  // listener throws it, which would take the process down with Redis. The store listens (and
  // reports) so an outage is never a crash.
  readonly #onClientError = (): void => this.notice('connection error');

  constructor(options: RedisLinkOptions) {
    const client = checkClient(options.client);
    this.#client = client;
    this.#cluster = isCluster(client);
    this.#send = isCluster(client)
      ? (args, wait) => client.sendCommand(firstKey(args), false, args as string[], { timeout: wait })
      : (args, wait) => client.sendCommand(args, { timeout: wait });
    this.timeoutMs = options.timeoutMs;
    this.#onEvent = options.onEvent;
    this.#label = options.label;
    this.#client.on('error', this.#onClientError);
  }

  /**
   * Sends one command and answers its reply, or rejects within `timeoutMs` of now (or by
   * `deadline`): ERR_STORE_UNAVAILABLE when Redis is down, slow or refusing for an operational
   * reason; any other error reply as it is.
   */
  call(args: ReadonlyArray<string>, deadline?: number): Promise<unknown> {
    return this.#settle((wait) => this.#send(args, wait), deadline);
  }

  /**
   * The values of `keys` (null where absent) in one round trip: one MGET on a single node; on a
   * cluster, where the keys may live on different nodes, one GET each, sent together.
   */
  getAll(keys: ReadonlyArray<string>, deadline?: number): Promise<unknown[]> {
    if (!this.#cluster)
      return this.#settle((wait) => this.#send(['MGET', ...keys], wait), deadline) as Promise<unknown[]>;
    return this.#settle((wait) => {
      const replies = keys.map((key) => this.#send(['GET', key], wait));
      // A reply that fails after another already did must not become an unhandled rejection.
      for (const r of replies) r.catch(() => {});
      return Promise.all(replies);
    }, deadline) as Promise<unknown[]>;
  }

  #settle(
    start: (wait: number) => Promise<unknown>,
    deadline = Date.now() + this.timeoutMs,
  ): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.#unavailable('closed'));
    // Not connected (down, or reconnecting): answer now rather than wait in the offline queue.
    if (!this.#client.isReady) return Promise.reject(this.#unavailable('not connected'));
    const wait = Math.max(1, deadline - Date.now());
    return new Promise((resolve, reject) => {
      // Our own timer: node-redis's `timeout` stops counting once a command is written, so a
      // server that stopped answering (SIGSTOP, a full network buffer) would hold the request.
      const timer = setTimeout(() => reject(this.#unavailable('timeout')), wait);
      // `timeout` still matters: it drops a command that is still queued when it expires
      // (node-redis removes it unsent), so a reconnecting client does not replay stale work.
      // node-redis 6 sets one on every command anyway (5 s by default): ours costs nothing more.
      start(wait).then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(this.#classify(error));
        },
      );
    });
  }

  /** Reports an outage to the store's onEvent (throttled); never the error's text. */
  notice(reason: string): void {
    const at = Date.now();
    if (at - this.#lastNotice < NOTICE_INTERVAL_MS) return;
    this.#lastNotice = at;
    emit(this.#onEvent, { type: 'store.unavailable', at, reason: `redis ${this.#label}: ${reason}` });
  }

  /** Stops listening to the client (which stays the application's to close); later calls reject. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.off('error', this.#onClientError);
  }

  #classify(error: unknown): unknown {
    if (error instanceof StartGuardError) return error;
    const message = error instanceof Error ? error.message : '';
    // An error reply the server sent (node-redis: ErrorReply) that is not about availability is
    // a real failure (a wrong type at our key, an ACL refusal): it reaches the caller as it is.
    if (isErrorReply(error) && !UNAVAILABLE_REPLIES.test(message)) return error;
    const reason = isErrorReply(error) ? message.split(' ', 1)[0] : 'connection lost';
    return this.#unavailable(reason, error);
  }

  #unavailable(reason: string, cause?: unknown): StartGuardError {
    this.notice(reason);
    return new StartGuardError(
      'ERR_STORE_UNAVAILABLE',
      `the Redis ${this.#label} store is unavailable (${reason})`,
      {
        cause,
      },
    );
  }
}

function isErrorReply(error: unknown): error is Error {
  // node-redis's ErrorReply (and its subclasses, SimpleError…) carry the server's reply;
  // client-side failures (closed socket, client closed, command timeout) are other classes.
  if (!(error instanceof Error)) return false;
  for (
    let p = Object.getPrototypeOf(error);
    p !== null && p !== Error.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    if ((p as { constructor?: { name?: string } }).constructor?.name === 'ErrorReply') return true;
  }
  return false;
}

function checkClient(value: unknown): RedisClientLike | RedisClusterLike {
  const c = value as Partial<RedisClientLike> | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof c.sendCommand !== 'function' ||
    typeof c.isReady !== 'boolean' ||
    typeof c.on !== 'function' ||
    typeof c.off !== 'function'
  ) {
    invalidArg(
      'options.client',
      "a node-redis client (createClient() or createCluster() from 'redis' >= 5)",
      value,
    );
  }
  return c as RedisClientLike;
}

function isCluster(c: RedisClientLike | RedisClusterLike): c is RedisClusterLike {
  return typeof (c as Partial<RedisClusterLike>).getSlotMaster === 'function';
}

/** The key a cluster routes a command by: the script's first key, or the command's. */
function firstKey(args: ReadonlyArray<string>): string | undefined {
  return args[0] === 'EVALSHA' || args[0] === 'EVAL' ? args[3] : args[1];
}
