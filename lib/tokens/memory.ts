// An in-process token store, for tests and single-process development: nothing survives a
// restart. Consumption is atomic because each call runs to completion on the JS thread.
import { StartGuardError } from '../errors';
import { checkClock, checkId } from '../revocation/args';
import { checkPurpose, checkRecord, copyRecord } from './args';
import { TokenTable } from './table';
import type { TokenRecord, TokenStore } from './types';

export interface MemoryTokenStoreOptions {
  /** The clock, epoch milliseconds (default `Date.now`); tests pass a controllable one. */
  nowMs?: () => number;
}

// Expired records are dropped on a write at most this often: bounded without a timer.
const SWEEP_INTERVAL_MS = 60_000;

export function createMemoryTokenStore(options: MemoryTokenStoreOptions = {}): TokenStore {
  const now = checkClock(options.nowMs) ?? Date.now;
  const table = new TokenTable();
  let lastSweepMs = -Infinity;
  let closed = false;

  const open = (): void => {
    if (closed) throw new StartGuardError('ERR_STORE_UNAVAILABLE', 'the token store is closed');
  };
  const sweep = (): void => {
    const t = now();
    if (t - lastSweepMs < SWEEP_INTERVAL_MS) return;
    lastSweepMs = t;
    table.prune(t);
  };

  return {
    async insert(record: TokenRecord): Promise<void> {
      checkRecord(record);
      open();
      sweep();
      table.insert(copyRecord(record));
    },
    async find(id: string): Promise<TokenRecord | null> {
      checkId('id', id);
      open();
      const r = table.get(id);
      return r === undefined ? null : copyRecord(r);
    },
    async delete(id: string): Promise<boolean> {
      checkId('id', id);
      open();
      return table.delete(id);
    },
    async deleteForUser(userId: string, purpose?: string): Promise<void> {
      checkId('userId', userId);
      if (purpose !== undefined) checkPurpose('purpose', purpose);
      open();
      table.deleteForUser(userId, purpose);
    },
    async close(): Promise<void> {
      closed = true;
      table.clear();
    },
  };
}
