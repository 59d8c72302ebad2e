// Work done after the answer: a bounded queue whose jobs start on a later turn of the event loop
// (setImmediate), so the response to the request that queued them is settled first and its
// timing cannot depend on them. Bounded in waiting jobs and in jobs running at once: a flood
// costs a refusal, never unbounded memory.
import { invalidArg } from '../errors';

export interface QueueOptions {
  /** Jobs running at once (default 4). */
  concurrency?: number;
  /** Jobs waiting or running before new ones are refused (default 1000). */
  maxPending?: number;
}

export class AfterResponseQueue {
  private readonly waiting: Array<() => Promise<void>> = [];
  private running = 0;
  private idlers: Array<() => void> = [];
  private readonly concurrency: number;
  private readonly maxPending: number;

  constructor(name: string, options: QueueOptions = {}) {
    if (typeof options !== 'object' || options === null) invalidArg(name, 'an object', options);
    this.concurrency = count(`${name}.concurrency`, options.concurrency, 4);
    this.maxPending = count(`${name}.maxPending`, options.maxPending, 1000);
  }

  /** Queues `job` (its errors are its own to handle); false when the queue is full. */
  push(job: () => Promise<void>): boolean {
    if (this.pending >= this.maxPending) return false;
    this.waiting.push(job);
    setImmediate(() => this.next());
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
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.running++;
      job()
        .catch(() => {}) // a job reports its own failures; one must never stop the queue
        .finally(() => {
          this.running--;
          this.next();
          if (this.pending === 0) for (const resolve of this.idlers.splice(0)) resolve();
        });
    }
  }
}

function count(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    invalidArg(name, 'a positive integer', value);
  }
  return value;
}
