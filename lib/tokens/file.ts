// The file token store: an append-only log that survives restarts, shared safely by several
// processes on one machine (each write takes the file's lock, catches up, decides, appends and
// syncs). The implementation is server-only and reached through ./native, which the browser
// build swaps for an inert twin.
import { invalidArg } from '../errors';
import type { EventSink } from '../events';
import { checkClock } from '../revocation/args';
import { openFileTokenStore } from './native';
import type { TokenStore } from './types';

export interface FileTokenStoreOptions {
  /** The log file; its directory is created (mode 0700) and the file (0600) when missing. */
  path: string;
  /** The clock, epoch milliseconds (default `Date.now`). */
  nowMs?: () => number;
  /** Receives `store.unavailable` (reason `'locked'` or `'io'`) when a call is refused. */
  onEvent?: EventSink;
  /** How long a write waits for another process's turn before ERR_STORE_UNAVAILABLE (default 5000). */
  lockTimeoutMs?: number;
  /** @internal Compaction is considered once the file reaches this size (default 64 KiB). */
  compactMinBytes?: number;
}

export interface ResolvedFileTokenStoreOptions {
  path: string;
  nowMs: () => number;
  onEvent: EventSink | undefined;
  lockTimeoutMs: number;
  compactMinBytes: number;
}

/**
 * The store for `options.path`. One instance per real path per process (symlinks and relative
 * paths included); every caller's `onEvent` receives its events.
 */
export function createFileTokenStore(options: FileTokenStoreOptions): TokenStore {
  if (typeof options !== 'object' || options === null) invalidArg('options', 'an object', options);
  const { path, onEvent, lockTimeoutMs = 5000, compactMinBytes = 64 * 1024 } = options;
  if (typeof path !== 'string' || path.length === 0) invalidArg('options.path', 'a non-empty string', path);
  if (onEvent !== undefined && typeof onEvent !== 'function')
    invalidArg('options.onEvent', 'a function', onEvent);
  if (!Number.isSafeInteger(lockTimeoutMs) || lockTimeoutMs < 0) {
    invalidArg('options.lockTimeoutMs', 'a non-negative integer (milliseconds)', lockTimeoutMs);
  }
  if (!Number.isSafeInteger(compactMinBytes) || compactMinBytes < 1) {
    invalidArg('options.compactMinBytes', 'a positive integer', compactMinBytes);
  }
  const nowMs = checkClock(options.nowMs) ?? Date.now;
  return openFileTokenStore({ path, nowMs, onEvent, lockTimeoutMs, compactMinBytes });
}
