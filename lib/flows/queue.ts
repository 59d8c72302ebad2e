// Work done after the answer: a bounded queue whose jobs start after a small random delay (at
// least a later turn of the event loop), so the response to the request that queued them is
// settled first and neither its timing nor the timing of the next response can be tied to them:
// a known address's work lands at a random moment, not right after its answer. Bounded in
// waiting jobs and in jobs running at once: a flood costs a refusal, never unbounded memory.
// Jobs pushed with the same key run one at a time, in the order they were pushed.
import { invalidArg } from '../errors';
import { randomBelow } from '../random-pool';

export interface QueueOptions {
  /** Jobs running at once (default 4). */
  concurrency?: number;
  /** Jobs waiting or running before new ones are refused (default 1000). */
  maxPending?: number;
  /**
   * Each job starts after a delay drawn uniformly from 0 to this many milliseconds (default 50;
   * 0: on the next turn of the event loop). A known address's work then lands on a random later
   * response rather than on the one right after its answer.
   */
  maxStartDelayMs?: number;
}

interface Entry {
  job: () => Promise<void>;
  key: string | undefined;
  /** Its start delay has passed. */
  ready: boolean;
}

const MAX_START_DELAY_MS = 60_000;

export class AfterResponseQueue {
  private readonly waiting: Entry[] = [];
  private running = 0;
  /** Keys with a job running. */
  private readonly busy = new Set<string>();
  private idlers: Array<() => void> = [];
  private readonly concurrency: number;
  private readonly maxPending: number;
  private readonly maxStartDelayMs: number;

  constructor(name: string, options: QueueOptions = {}) {
    if (typeof options !== 'object' || options === null) invalidArg(name, 'an object', options);
    this.concurrency = count(`${name}.concurrency`, options.concurrency, 4, 1);
    this.maxPending = count(`${name}.maxPending`, options.maxPending, 1000, 1);
    this.maxStartDelayMs = count(`${name}.maxStartDelayMs`, options.maxStartDelayMs, 50, 0);
    if (this.maxStartDelayMs > MAX_START_DELAY_MS) {
      invalidArg(
        `${name}.maxStartDelayMs`,
        `milliseconds from 0 to ${MAX_START_DELAY_MS}`,
        options.maxStartDelayMs,
      );
    }
  }

  /**
   * Queues `job` (its errors are its own to handle); false when the queue is full. Jobs with the
   * same `key` run one at a time in push order (a user's verification mails: the last one asked
   * for is the last one issued).
   */
  push(job: () => Promise<void>, key?: string): boolean {
    if (this.pending >= this.maxPending) return false;
    const entry: Entry = { job, key, ready: false };
    this.waiting.push(entry);
    const start = () => {
      entry.ready = true;
      this.next();
    };
    const delay = this.maxStartDelayMs === 0 ? 0 : randomBelow(this.maxStartDelayMs + 1);
    if (delay === 0) setImmediate(start);
    else setTimeout(start, delay);
    return true;
  }

  /** Jobs waiting or running. */
  get pending(): number {
    return this.waiting.length + this.running;
  }

  /** Resolves when no job is waiting or running (tests, graceful shutdown). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idlers.push(resolve));
  }

  private next(): void {
    // Keys of jobs passed over in this scan: a later job of the same key must wait behind them.
    const held = new Set<string>();
    for (let i = 0; i < this.waiting.length && this.running < this.concurrency;) {
      const entry = this.waiting[i]!;
      const { key } = entry;
      if (!entry.ready || (key !== undefined && (this.busy.has(key) || held.has(key)))) {
        if (key !== undefined) held.add(key);
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.running++;
      if (key !== undefined) this.busy.add(key);
      entry
        .job()
        .catch(() => {}) // a job reports its own failures; one must never stop the queue
        .finally(() => {
          this.running--;
          if (key !== undefined) this.busy.delete(key);
          this.next();
          if (this.pending === 0) for (const resolve of this.idlers.splice(0)) resolve();
        });
    }
  }
}

function count(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    invalidArg(name, min === 0 ? 'a non-negative integer' : 'a positive integer', value);
  }
  return value;
}
