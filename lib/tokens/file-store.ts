// The file token store on Node. Unlike the revocation log (one writer for the process's life),
// processes take turns: each batch of writes takes the flock on `<file>.lock`, catches up with
// what the others appended (or reloads after their compaction), decides under the lock, appends,
// fdatasyncs and lets go. So a token is consumed exactly once across every process on the
// machine, and any of them may issue one. Reached only through ./native (server-only).
import { AppendLog } from '../file-log/append-log';
import { fs } from '../file-log/fs';
import { lockCurrentFile } from '../file-log/lock';
import { LoggedStore, openOnce } from '../file-log/logged-store';
import { checkId } from '../revocation/args';
import { checkPurpose, checkRecord, copyRecord } from './args';
import type { ResolvedFileTokenStoreOptions } from './file';
import {
  type TokenLogRecord,
  applyRecord,
  decodeRecord,
  encodeDelete,
  encodeDeleteForUser,
  encodeInsert,
  encodeTable,
} from './records';
import { TokenTable } from './table';
import type { TokenRecord, TokenStore } from './types';

/** One store per real path per process (and per worker thread, each taking turns like a process). */
const stores = new Map<string, FileTokenStore>();

export function openFileTokenStore(options: ResolvedFileTokenStoreOptions): TokenStore {
  return openOnce(
    stores,
    options.path,
    'token',
    options.onEvent,
    (file) => new FileTokenStore(file, options),
  );
}

/** A write decided under the lock: the line to append (none when it changes nothing) and the answer. */
interface Decision {
  line?: string;
  result: unknown;
}

interface PendingWrite {
  decide: () => Decision;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

const MAX_LOCK_WAIT_STEP_MS = 50;

class FileTokenStore extends LoggedStore implements TokenStore {
  private readonly lockFile: string;
  private readonly lockTimeoutMs: number;
  private readonly table = new TokenTable();
  private readonly log: AppendLog<TokenLogRecord>;
  private pending: PendingWrite[] = [];
  private flushing: Promise<void> | null = null;
  /** Caught up and holding the lock: the table is ahead of the file, nothing to follow. */
  private locked = false;

  constructor(file: string, options: ResolvedFileTokenStoreOptions) {
    super(file, 'token', options.nowMs, options.onEvent);
    this.lockFile = `${file}.lock`;
    this.lockTimeoutMs = options.lockTimeoutMs;
    // A whole reload replaces the table: removals are real here (a consumed token must not come
    // back), and every change of this process went through the file under the lock.
    this.log = new AppendLog<TokenLogRecord>(
      file,
      {
        decode: decodeRecord,
        load: (records, whole) => {
          if (whole) this.table.clear();
          for (const record of records) applyRecord(this.table, record);
          if (whole) this.table.prune(this.now());
        },
      },
      options.compactMinBytes,
    );
  }

  async insert(record: TokenRecord): Promise<void> {
    checkRecord(record);
    const copy = copyRecord(record);
    await this.write(() => {
      this.table.insert(copy);
      return { line: encodeInsert(copy), result: undefined };
    });
  }

  async find(id: string): Promise<TokenRecord | null> {
    checkId('id', id);
    this.io(() => {
      if (!this.locked) this.log.follow();
    });
    const r = this.table.get(id);
    return r === undefined ? null : copyRecord(r);
  }

  async delete(id: string): Promise<boolean> {
    checkId('id', id);
    return (await this.write(() =>
      this.table.delete(id) ? { line: encodeDelete(id), result: true } : { result: false },
    )) as boolean;
  }

  async deleteForUser(userId: string, purpose?: string): Promise<void> {
    checkId('userId', userId);
    if (purpose !== undefined) checkPurpose('purpose', purpose);
    await this.write(() =>
      this.table.deleteForUser(userId, purpose) > 0
        ? { line: encodeDeleteForUser(userId, purpose), result: undefined }
        : { result: undefined },
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (stores.get(this.file) === this) stores.delete(this.file);
    await this.flushing;
    this.log.close();
  }

  // --- writing ---------------------------------------------------------------------------------

  /** Queues a write decided under the lock; resolves with its answer once its line is on disk. */
  private write(decide: () => Decision): Promise<unknown> {
    if (this.closed) return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => {
      this.pending.push({ decide, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Each batch: lock, catch up, decide every write, append them with one sync, unlock. */
  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      let lockFd: number;
      try {
        lockFd = await this.acquireLock();
      } catch (err) {
        for (const w of batch) w.reject(err);
        continue;
      }
      try {
        await this.commit(batch);
      } finally {
        this.locked = false;
        fs().closeSync(lockFd); // closing the descriptor releases the lock
      }
    }
    this.flushing = null;
  }

  private async commit(batch: PendingWrite[]): Promise<void> {
    try {
      this.log.catchUp();
    } catch (cause) {
      this.log.invalidate();
      const err = this.unavailable('io', `cannot read the token file ${this.file}`, cause);
      for (const w of batch) w.reject(err);
      return;
    }
    this.locked = true;
    const decided: Array<[PendingWrite, unknown]> = [];
    let text = '';
    for (const w of batch) {
      try {
        const d = w.decide();
        if (d.line !== undefined) text += d.line;
        decided.push([w, d.result]);
      } catch (err) {
        w.reject(err); // a bad write (a duplicate id) fails alone
      }
    }
    try {
      if (text.length > 0) await this.log.append(text);
    } catch (cause) {
      // The file is the truth: read it whole at the next turn (what this batch decided in memory
      // and did not write is forgotten; its callers are told it failed).
      this.log.invalidate();
      const err = this.unavailable('io', `cannot append to the token file ${this.file}`, cause);
      for (const [w] of decided) w.reject(err);
      return;
    }
    for (const [w, result] of decided) w.resolve(result);
    if (this.log.compactionDue) {
      this.table.prune(this.now());
      await this.log.compact(encodeTable(this.table));
    }
  }

  /** flock without blocking the event loop: retried with a growing pause up to lockTimeoutMs. */
  private async acquireLock(): Promise<number> {
    const deadline = Date.now() + this.lockTimeoutMs;
    for (let pause = 1; ; pause = Math.min(pause * 2, MAX_LOCK_WAIT_STEP_MS)) {
      const fd = this.io(() =>
        lockCurrentFile(this.lockFile, (message, cause) => this.unavailable('io', message, cause)),
      );
      if (fd !== null) return fd;
      if (Date.now() >= deadline) {
        throw this.unavailable(
          'locked',
          `another process kept the token file ${this.file} locked for over ${this.lockTimeoutMs} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, pause));
    }
  }
}
