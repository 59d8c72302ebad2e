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

type Send = (args: ReadonlyArray<string>, wait: { timeout: number }) => Promise<unknown>;

/** Replies that mean "Redis cannot answer now" (loading after a restart, a failover, a full disk…). */
const UNAVAILABLE_REPLIES =
  /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|OOM|MISCONF|NOREPLICAS|UNBLOCKED)\b/;
// See RedisLink.#queueTimeout: far above a reply's round trip, far below what fills a socket's
// buffers (megabytes of commands).
const QUEUE_GUARD_MS = 20;
const NO_QUEUE_TIMEOUT = Object.freeze({ timeout: 0 });
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

/** One call in flight: settled by its reply, or by the watchdog at its deadline. */
interface Pending {
  /** When it was sent (performance.now(), like every time in the link). */
  readonly sentAt: number;
  readonly deadline: number;
  done: boolean;
  readonly reject: (error: unknown) => void;
  /** The next call sent after this one (the watchdog's list). */
  next: Pending | undefined;
}

/** What RedisLink.evalsha needs of a script: its SHA1, and its source for a NOSCRIPT retry. */
export interface ScriptSource {
  readonly sha: string;
  readonly source: string;
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
  // The watchdog: the calls in flight, oldest first, and one timer for the earliest deadline.
  // A timer per call (set, then cleared by its reply) cost more than the rest of the link; this
  // one is set when a call's deadline is earlier than any armed, and otherwise fires at most once
  // per `timeoutMs`. Replies come in order on a connection, so settled calls leave from the head.
  // Every time here is performance.now(): a wall-clock step (NTP, a VM resumed) must neither
  // stretch a deadline on a hung Redis nor cut one short.
  #first: Pending | undefined;
  #last: Pending | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  // node-redis emits 'error' for every failed connection attempt; an EventEmitter with no 'error'
  // listener throws it, which would take the process down with Redis. The store listens (and
  // reports) so an outage is never a crash.
  readonly #onClientError = (): void => this.notice('connection error');

  constructor(options: RedisLinkOptions) {
    const client = checkClient(options.client);
    this.#client = client;
    this.#cluster = isCluster(client);
    this.#send = isCluster(client)
      ? (args, wait) => client.sendCommand(firstKey(args), false, args as string[], wait)
      : (args, wait) => client.sendCommand(args, wait);
    this.timeoutMs = options.timeoutMs;
    this.#onEvent = options.onEvent;
    this.#label = options.label;
    this.#client.on('error', this.#onClientError);
  }

  /**
   * Sends one command and answers its reply, or rejects within `timeoutMs` of now (or by
   * `deadline`, a performance.now() time): ERR_STORE_UNAVAILABLE when Redis is down, slow or refusing for an operational
   * reason; any other error reply as it is.
   */
  call(args: ReadonlyArray<string>, deadline?: number): Promise<unknown> {
    return this.#settle(args, undefined, deadline);
  }

  /**
   * Runs `command` (['EVALSHA', script.sha, numkeys, ...keys, ...args]) as `call` does; when the
   * server answers NOSCRIPT (after a restart, a failover, SCRIPT FLUSH), sends it again as EVAL
   * with the source, which also caches the script, within the same deadline.
   */
  evalsha(script: ScriptSource, command: string[], deadline?: number): Promise<unknown> {
    return this.#settle(command, script, deadline);
  }

  /**
   * The values of `keys` (null where absent) in one round trip: one MGET on a single node; on a
   * cluster, where the keys may live on different nodes, one GET each, sent together.
   */
  getAll(keys: ReadonlyArray<string>, deadline?: number): Promise<unknown[]> {
    if (!this.#cluster) return this.#settle(['MGET', ...keys], undefined, deadline) as Promise<unknown[]>;
    const refused = this.#refusal();
    if (refused !== undefined) return refused;
    const end = deadline ?? performance.now() + this.timeoutMs;
    const replies = keys.map((key) => this.#settle(['GET', key], undefined, end));
    // A reply that fails after another already did must not become an unhandled rejection.
    for (const r of replies) r.catch(() => {});
    return Promise.all(replies);
  }

  #refusal(): Promise<never> | undefined {
    if (this.#closed) return Promise.reject(this.#unavailable('closed'));
    // Not connected (down, or reconnecting): answer now rather than wait in the offline queue.
    if (!this.#client.isReady) return Promise.reject(this.#unavailable('not connected'));
    return undefined;
  }

  #settle(
    args: string[] | ReadonlyArray<string>,
    script: ScriptSource | undefined,
    deadline?: number,
  ): Promise<unknown> {
    const refused = this.#refusal();
    if (refused !== undefined) return refused;
    const now = performance.now();
    const end = deadline ?? now + this.timeoutMs;
    return new Promise((resolve, reject) => {
      const p: Pending = { sentAt: now, deadline: end, done: false, reject, next: undefined };
      const onValue = (value: unknown): void => {
        if (p.done) return;
        this.#finish(p);
        resolve(value);
      };
      const onError = (error: unknown): void => {
        if (p.done) return;
        if (script !== undefined && args[0] === 'EVALSHA' && isNoscript(error)) {
          // EVAL runs the script and caches it: the next EVALSHA finds it.
          const command = args as string[];
          command[0] = 'EVAL';
          command[1] = script.source;
          this.#sendTracked(command, end, onValue, onError);
          return;
        }
        this.#finish(p);
        reject(this.#classify(error));
      };
      this.#watch(p);
      this.#sendTracked(args, end, onValue, onError);
    });
  }

  #sendTracked(
    args: ReadonlyArray<string>,
    end: number,
    onValue: (value: unknown) => void,
    onError: (error: unknown) => void,
  ): void {
    try {
      this.#send(args, this.#queueTimeout(end)).then(onValue, onError);
    } catch (error) {
      onError(error);
    }
  }

  /**
   * node-redis's own `timeout` for a command: it drops the command if it is still queued, unsent,
   * when the timeout expires (a socket that stopped accepting writes: a hung server, a partition),
   * so the work is not replayed once Redis answers again, long after its caller was answered by
   * the policy. It stops counting once the command is written, hence the watchdog. It costs an
   * AbortSignal and a timer per command (measured 8–13 µs of CPU a call, more than the rest of a
   * take), and a command only stays queued behind a socket whose earlier commands get no reply:
   * so it is passed while the oldest call in flight has waited over QUEUE_GUARD_MS, and 0 (none;
   * node-redis's default is 5 s) while replies come back.
   */
  #queueTimeout(end: number): { timeout: number } {
    const oldest = this.#first;
    const now = performance.now();
    if (oldest === undefined || now - oldest.sentAt < QUEUE_GUARD_MS) return NO_QUEUE_TIMEOUT;
    // Whole milliseconds: node-redis passes it to AbortSignal.timeout, which refuses a fraction.
    return { timeout: Math.max(1, Math.ceil(end - now)) };
  }

  #watch(p: Pending): void {
    if (this.#last === undefined) this.#first = p;
    else this.#last.next = p;
    this.#last = p;
    if (p.deadline < this.#timerAt) this.#arm(p.deadline);
  }

  #finish(p: Pending): void {
    p.done = true;
    let first = this.#first;
    while (first !== undefined && first.done) first = first.next;
    this.#first = first;
    if (first === undefined) this.#last = undefined;
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(this.#sweep, Math.max(1, at - performance.now()));
    // The socket of a call in flight keeps the process alive, not the watchdog.
    this.#timer.unref();
  }

  /** Rejects the calls past their deadline, drops the settled ones, and arms for the next. */
  readonly #sweep = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    let first: Pending | undefined;
    let last: Pending | undefined;
    for (let p = this.#first; p !== undefined; p = p.next) {
      if (p.done) continue;
      if (p.deadline <= now) {
        p.done = true;
        p.reject(this.#unavailable('timeout'));
        continue;
      }
      if (last === undefined) first = p;
      else last.next = p;
      last = p;
      if (p.deadline < next) next = p.deadline;
    }
    if (last !== undefined) last.next = undefined;
    this.#first = first;
    this.#last = last;
    if (next !== Infinity) this.#arm(next);
  };

  /** Reports an outage to the store's onEvent (throttled); never the error's text. */
  notice(reason: string): void {
    const t = performance.now();
    if (t - this.#lastNotice < NOTICE_INTERVAL_MS) return;
    this.#lastNotice = t;
    emit(this.#onEvent, {
      type: 'store.unavailable',
      at: Date.now(),
      reason: `redis ${this.#label}: ${reason}`,
    });
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

function isNoscript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
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
