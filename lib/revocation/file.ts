// The embedded default revocation store: an append-only file that survives restarts, written by
// one process and read by any number. The implementation is server-only and reached through
// ./native, which the browser build swaps for an inert twin.
import { invalidArg } from '../errors';
import type { EventSink } from '../events';
import { checkClock } from './args';
import { openFileStore } from './native';
import type { RevocationStore } from './types';

export interface FileRevocationStoreOptions {
  /** The log file; its directory is created (mode 0700) and the file (0600) when missing. */
  path: string;
  /** The clock, epoch milliseconds (default `Date.now`). */
  nowMs?: () => number;
  /** Receives `store.unavailable` (reason `'locked'` or `'io'`) when a call is refused. */
  onEvent?: EventSink;
  /** @internal Compaction is considered once the file reaches this size (default 64 KiB). */
  compactMinBytes?: number;
}

export interface ResolvedFileStoreOptions {
  path: string;
  nowMs: () => number;
  onEvent: EventSink | undefined;
  compactMinBytes: number;
}

const DEFAULT_COMPACT_MIN_BYTES = 64 * 1024;

/**
 * The store for `options.path`. One instance per real path per process: calling it again with
 * the same file (through a symlink or another relative path too) returns the same store, whose
 * clock is the first caller's; every caller's `onEvent` receives its events.
 */
export function createFileRevocationStore(options: FileRevocationStoreOptions): RevocationStore {
  if (typeof options !== 'object' || options === null) invalidArg('options', 'an object', options);
  const { path, onEvent, compactMinBytes = DEFAULT_COMPACT_MIN_BYTES } = options;
  if (typeof path !== 'string' || path.length === 0) invalidArg('options.path', 'a non-empty string', path);
  if (onEvent !== undefined && typeof onEvent !== 'function')
    invalidArg('options.onEvent', 'a function', onEvent);
  if (!Number.isSafeInteger(compactMinBytes) || compactMinBytes < 1) {
    invalidArg('options.compactMinBytes', 'a positive integer', compactMinBytes);
  }
  const nowMs = checkClock(options.nowMs) ?? Date.now;
  return openFileStore({ path, nowMs, onEvent, compactMinBytes });
}
