// An in-process revocation store, for tests and single-process development: nothing survives a
// restart and nothing is shared with other processes.
import { StartGuardError } from '../errors';
import { checkClock, checkId, checkSeconds, checkSession, checkWatermarkMs } from './args';
import { RevocationTable } from './table';
import type { RevocableSession, RevocationStore } from './types';

export interface MemoryRevocationStoreOptions {
  /** The clock, epoch milliseconds (default `Date.now`); tests pass a controllable one. */
  nowMs?: () => number;
}

// Expired entries are dropped as they are looked up, and all of them on a write at most this
// often, so the table stays bounded without a timer keeping the process alive.
const SWEEP_INTERVAL_MS = 60_000;

export function createMemoryRevocationStore(options: MemoryRevocationStoreOptions = {}): RevocationStore {
  const now = checkClock(options.nowMs) ?? Date.now;
  const table = new RevocationTable();
  let lastSweepMs = -Infinity;

  const sweep = (): void => {
    const t = now();
    if (t - lastSweepMs < SWEEP_INTERVAL_MS) return;
    lastSweepMs = t;
    table.prune(t);
  };

  let closed = false;
  // Like the file store: a closed store refuses rather than answering "not revoked" from a table
  // it no longer keeps (a revoked session must never read as live).
  const open = (): void => {
    if (closed) throw new StartGuardError('ERR_STORE_UNAVAILABLE', 'the revocation store is closed');
  };

  return {
    async revoke(sessionId: string, expiresAt: number): Promise<void> {
      checkId('sessionId', sessionId);
      checkSeconds('expiresAt', expiresAt);
      open();
      sweep();
      table.revoke(sessionId, expiresAt);
    },
    async revokeUserBefore(userId: string, atMs: number, keepUntil: number): Promise<void> {
      checkId('userId', userId);
      checkWatermarkMs('atMs', atMs);
      checkSeconds('keepUntil', keepUntil);
      open();
      sweep();
      table.revokeUserBefore(userId, atMs, keepUntil);
    },
    async isRevoked(session: RevocableSession): Promise<boolean> {
      checkSession(session);
      open();
      return table.isRevoked(session, now());
    },
    async close(): Promise<void> {
      closed = true;
      table.clear();
    },
  };
}
