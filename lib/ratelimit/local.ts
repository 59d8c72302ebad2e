// The in-process bucket table through the binding: one native table per limiter (shared by name
// across worker_threads), its answers read back from this thread's output array.
import type { RateTableHandle } from '../../types/binding';
import { native } from '../native';
import type { RateLimitResult } from './types';

let out: Float64Array | undefined;

/** The numbers of the last answer on this thread: [remaining, retryAfterMs, tableFull]. */
function output(): Float64Array {
  // One array per thread, owned by the addon: every copy of this module on the thread (an app
  // that bundles one) reads the same array the addon writes.
  return out ?? (out = native().rateOutput());
}

export class LocalBuckets {
  readonly #table: RateTableHandle;
  readonly #out: Float64Array;
  /** Set by the last take or peek: refused because the table was full of limiting buckets. */
  tableFull = false;

  constructor(name: string | null, capacity: number, refillPerSecond: number, maxKeys: number) {
    this.#out = output();
    this.#table = native().rateTable(name, capacity, refillPerSecond, maxKeys);
  }

  take(key: string, cost: number): RateLimitResult {
    const allowed = native().rateTake(this.#table, key, cost);
    return this.#answer(allowed);
  }

  peek(key: string, cost: number): RateLimitResult {
    const allowed = native().ratePeek(this.#table, key, cost);
    return this.#answer(allowed);
  }

  refund(key: string, cost: number): void {
    native().rateRefund(this.#table, key, cost);
  }

  reset(key: string): void {
    native().rateReset(this.#table, key);
  }

  get size(): number {
    return native().rateSize(this.#table);
  }

  #answer(allowed: boolean): RateLimitResult {
    const o = this.#out;
    this.tableFull = o[2] === 1;
    return { allowed, remaining: o[0], retryAfterMs: o[1] };
  }
}
