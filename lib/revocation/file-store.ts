// The file revocation store on Node. One process (the first to write) holds an flock on
// `<file>.lock` and appends; every other process only reads, following the file's growth and
// reloading it whole when compaction replaces it (lib/file-log). Reached only through ./native
// (server-only).
import { isStartGuardError } from '../errors';
import { AppendLog } from '../file-log/append-log';
import { fs } from '../file-log/fs';
import { lockCurrentFile } from '../file-log/lock';
import { LoggedStore, openOnce } from '../file-log/logged-store';
import { checkId, checkSeconds, checkSession, checkWatermarkMs } from './args';
import type { ResolvedFileStoreOptions } from './file';
import { type RevocationRecord, applyRecord, decodeRecord, encodeRecord, encodeTable } from './records';
import { RevocationTable } from './table';
import type { RevocableSession, RevocationStore } from './types';

/** One store per real path per process: two writers in one process would refuse each other. */
const stores = new Map<string, FileStore>();
let warnedCluster = false;

export function openFileStore(options: ResolvedFileStoreOptions): RevocationStore {
  const store = openOnce(
    stores,
    options.path,
    'revocation',
    options.onEvent,
    (file) => new FileStore(file, options),
  );
  warnIfClusterWorker();
  return store;
}

function warnIfClusterWorker(): void {
  if (warnedCluster) return;
  if (!(require('node:cluster') as { isWorker: boolean }).isWorker) return;
  warnedCluster = true;
  // A notice for the operator: stderr (an app's stdout may be data), once.
  process.emitWarning(
    'start-guard: the file revocation store is running in a cluster worker. A file has one writer, ' +
      'so only one worker can revoke sessions; several instances need the Redis store ' +
      '(createRedisRevocationStore from start-guard/redis).',
    { code: 'START_GUARD_FILE_STORE_CLUSTER' },
  );
}

interface PendingAppend {
  line: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

class FileStore extends LoggedStore implements RevocationStore {
  private readonly lockFile: string;
  private readonly table = new RevocationTable();
  private readonly log: AppendLog<RevocationRecord>;
  private lockFd = -1;
  private writer = false;
  private pending: PendingAppend[] = [];
  private flushing: Promise<void> | null = null;

  constructor(file: string, options: ResolvedFileStoreOptions) {
    super(file, 'revocation', options.nowMs, options.onEvent);
    this.lockFile = `${file}.lock`;
    // Merged, not replaced, on a whole reload: an entry only ever goes away by expiring, and the
    // writer's table may hold entries whose append is still pending.
    this.log = new AppendLog<RevocationRecord>(
      file,
      {
        decode: decodeRecord,
        load: (records, whole) => {
          for (const record of records) applyRecord(this.table, record);
          if (whole) this.table.prune(this.now());
        },
      },
      options.compactMinBytes,
    );
  }

  async revoke(sessionId: string, expiresAt: number): Promise<void> {
    checkId('sessionId', sessionId);
    checkSeconds('expiresAt', expiresAt);
    this.io(() => this.becomeWriter());
    this.table.revoke(sessionId, expiresAt);
    return this.append(encodeRecord({ kind: 'r', sessionId, expiresAt }));
  }

  async revokeUserBefore(userId: string, atMs: number, keepUntil: number): Promise<void> {
    checkId('userId', userId);
    checkWatermarkMs('atMs', atMs);
    checkSeconds('keepUntil', keepUntil);
    this.io(() => this.becomeWriter());
    this.table.revokeUserBefore(userId, atMs, keepUntil);
    return this.append(encodeRecord({ kind: 'u', userId, atMs, keepUntil }));
  }

  async isRevoked(session: RevocableSession): Promise<boolean> {
    checkSession(session);
    // The writer's table is the file; a reader checks for another process's appends first.
    if (!this.writer) this.io(() => this.log.follow());
    return this.table.isRevoked(session, this.now());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (stores.get(this.file) === this) stores.delete(this.file);
    await this.flushing;
    this.dropWriter();
    this.log.close();
  }

  // --- writing ---------------------------------------------------------------------------------

  /** Takes the lock at the first write; throws ERR_STORE_UNAVAILABLE when another process has it. */
  private becomeWriter(): void {
    if (this.writer) return;
    const lockFd = lockCurrentFile(this.lockFile, (message, cause) => this.unavailable('io', message, cause));
    if (lockFd === null) {
      throw this.unavailable(
        'locked',
        `another process (or worker thread) writes the revocation file ${this.file}. A file store ` +
          'has one writer: several instances need the Redis store (createRedisRevocationStore from ' +
          'start-guard/redis).',
      );
    }
    try {
      // The only writer now: start from the file as it is.
      this.log.openForAppend();
    } catch (err) {
      fs().closeSync(lockFd); // closing the descriptor releases the lock
      throw err;
    }
    this.lockFd = lockFd;
    this.writer = true;
  }

  /** Gives the lock up; the next write takes it again (and reloads). */
  private dropWriter(): void {
    if (this.lockFd >= 0) fs().closeSync(this.lockFd);
    this.lockFd = -1;
    this.writer = false;
  }

  /** Resolves once `line` is on disk (written and fdatasync'ed); concurrent appends share a sync. */
  private append(line: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ line, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        if (!this.writer) this.becomeWriter(); // compaction failed after the rename
        await this.log.append(batch.map((p) => p.line).join(''));
        for (const p of batch) p.resolve();
      } catch (cause) {
        const err = isStartGuardError(cause)
          ? cause
          : this.unavailable('io', `cannot append to the revocation file ${this.file}`, cause);
        for (const p of batch) p.reject(err);
      }
      if (this.writer && this.log.compactionDue) {
        this.table.prune(this.now());
        if (!(await this.log.compact(encodeTable(this.table)))) this.dropWriter();
      }
    }
    this.flushing = null;
  }
}
