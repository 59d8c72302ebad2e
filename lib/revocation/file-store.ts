// The file revocation store on Node. One process (the first to write) holds an flock on
// `<file>.lock` and appends; every other process only reads, following the file's growth and
// reloading it whole when compaction replaces it. Reached only through ./native (server-only).
import type * as Fs from 'node:fs';
import type * as Path from 'node:path';
import { StartGuardError, isStartGuardError } from '../errors';
import { emit, type EventSink } from '../events';
import { native } from '../native';
import { checkId, checkSeconds, checkSession, checkWatermarkMs } from './args';
import type { ResolvedFileStoreOptions } from './file';
import { applyRecord, decodeChunk, encodeRecord, encodeTable } from './records';
import { RevocationTable } from './table';
import type { RevocableSession, RevocationStore } from './types';

// Node's modules are loaded on first use, not when start-guard is imported.
let fsModule: typeof Fs | undefined;
let pathModule: typeof Path | undefined;
const fs = (): typeof Fs => (fsModule ??= require('node:fs') as typeof Fs);
const nodePath = (): typeof Path => (pathModule ??= require('node:path') as typeof Path);

/** One store per real path per process: two writers in one process would refuse each other. */
const stores = new Map<string, FileStore>();
let warnedCluster = false;

export function openFileStore(options: ResolvedFileStoreOptions): RevocationStore {
  const file = prepareFile(options.path);
  let store = stores.get(file);
  if (store === undefined) {
    store = new FileStore(file, options);
    stores.set(file, store);
  } else {
    store.listen(options.onEvent);
  }
  warnIfClusterWorker();
  return store;
}

/** Creates the directory (0700) and the file (0600) when missing; returns the file's real path. */
function prepareFile(path: string): string {
  const f = fs();
  const abs = nodePath().resolve(path);
  try {
    const created = f.mkdirSync(nodePath().dirname(abs), { recursive: true, mode: 0o700 });
    // A new directory's own entry must reach the disk too, or a crash can lose the whole log.
    if (created !== undefined) fsyncDirectory(created);
    // O_CREAT without O_TRUNC: an existing log is never touched here.
    f.closeSync(f.openSync(abs, f.constants.O_RDONLY | f.constants.O_CREAT, 0o600));
    return f.realpathSync(abs);
  } catch (cause) {
    throw new StartGuardError('ERR_STORE_UNAVAILABLE', `cannot open the revocation file ${abs}`, { cause });
  }
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

class FileStore implements RevocationStore {
  private readonly lockFile: string;
  private readonly now: () => number;
  private readonly compactMinBytes: number;
  private readonly listeners = new Set<EventSink>();
  private readonly table = new RevocationTable();
  /** The log, read-only until this process becomes the writer, then O_RDWR | O_APPEND. */
  private fd = -1;
  private ino = -1;
  /** Bytes of complete lines applied to the table; for the writer, the file's size. */
  private consumed = 0;
  private lockFd = -1;
  private writer = false;
  private closed = false;
  private pending: PendingAppend[] = [];
  private flushing: Promise<void> | null = null;
  /** A write failed midway: the file may end in a partial line, ended by endTornTail first. */
  private dirtyTail = false;
  private compactCheckAt: number;

  constructor(
    private readonly file: string,
    options: ResolvedFileStoreOptions,
  ) {
    this.lockFile = `${file}.lock`;
    this.now = options.nowMs;
    this.compactMinBytes = options.compactMinBytes;
    this.compactCheckAt = options.compactMinBytes;
    this.listen(options.onEvent);
  }

  listen(onEvent: EventSink | undefined): void {
    if (onEvent !== undefined) this.listeners.add(onEvent);
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
    if (!this.writer) this.io(() => this.refresh());
    return this.table.isRevoked(session, this.now());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (stores.get(this.file) === this) stores.delete(this.file);
    await this.flushing;
    this.dropWriter();
    if (this.fd >= 0) fs().closeSync(this.fd);
    this.fd = -1;
  }

  /** Runs file work; a failure is ERR_STORE_UNAVAILABLE (and an event), never a silent pass. */
  private io<T>(work: () => T): T {
    if (this.closed) throw new StartGuardError('ERR_STORE_UNAVAILABLE', 'the revocation store is closed');
    try {
      return work();
    } catch (cause) {
      if (isStartGuardError(cause)) throw cause;
      throw this.unavailable('io', `cannot use the revocation file ${this.file}`, cause);
    }
  }

  private unavailable(reason: 'locked' | 'io', message: string, cause?: unknown): StartGuardError {
    const at = this.now();
    for (const sink of this.listeners) emit(sink, { type: 'store.unavailable', at, reason });
    return new StartGuardError('ERR_STORE_UNAVAILABLE', message, { cause });
  }

  // --- reading ---------------------------------------------------------------------------------

  private refresh(): void {
    const st = fs().statSync(this.file, { throwIfNoEntry: false });
    if (st === undefined) return; // removed by hand: keep what is known rather than forget it
    if (this.fd < 0 || st.ino !== this.ino || st.size < this.consumed) {
      this.reload(fs().openSync(this.file, 'r'));
    } else if (st.size !== this.consumed) {
      this.readTail(st.size);
    }
  }

  /**
   * Reads the whole file behind `fd` (which the store then owns) into the table; returns its size.
   * Merged, not replaced: an entry only ever goes away by expiring, and the writer's table may
   * hold entries whose append is still pending.
   */
  private reload(fd: number): number {
    const f = fs();
    let bytes: Buffer;
    let ino: number;
    try {
      bytes = f.readFileSync(fd);
      ino = f.fstatSync(fd).ino;
    } catch (err) {
      f.closeSync(fd);
      throw err;
    }
    const chunk = decodeChunk(bytes);
    for (const record of chunk.records) applyRecord(this.table, record);
    this.table.prune(this.now());
    if (this.fd >= 0) f.closeSync(this.fd);
    this.fd = fd;
    this.ino = ino;
    this.consumed = chunk.consumed;
    return bytes.length;
  }

  /** Applies what another process appended; a partial last line is read again next time. */
  private readTail(size: number): void {
    const length = size - this.consumed;
    const bytes = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = fs().readSync(this.fd, bytes, got, length - got, this.consumed + got);
      if (n === 0) break;
      got += n;
    }
    const chunk = decodeChunk(bytes.subarray(0, got));
    for (const record of chunk.records) applyRecord(this.table, record);
    this.consumed += chunk.consumed;
  }

  // --- writing ---------------------------------------------------------------------------------

  /** Takes the lock at the first write; throws ERR_STORE_UNAVAILABLE when another process has it. */
  private becomeWriter(): void {
    if (this.writer) return;
    const f = fs();
    const lockFd = this.lockCurrentLockFile();
    if (lockFd === null) {
      throw this.unavailable(
        'locked',
        `another process (or worker thread) writes the revocation file ${this.file}. A file store ` +
          'has one writer: several instances need the Redis store (createRedisRevocationStore from ' +
          'start-guard/redis).',
      );
    }
    try {
      // The only writer now: start from the file as it is (a previous writer may have compacted
      // it), and cut a torn last record so the next append starts on a fresh line.
      const fd = f.openSync(
        this.file,
        f.constants.O_RDWR | f.constants.O_APPEND | f.constants.O_CREAT,
        0o600,
      );
      const size = this.reload(fd);
      if (size > this.consumed) {
        f.ftruncateSync(fd, this.consumed);
        f.fdatasyncSync(fd);
      }
      // The file's directory entry is durable too before the first append is acknowledged.
      fsyncDirectory(this.file);
    } catch (err) {
      f.closeSync(lockFd); // closing the descriptor releases the lock
      throw err;
    }
    this.lockFd = lockFd;
    this.writer = true;
  }

  /**
   * Opens and flocks `<file>.lock`; null when another process holds it. The lock must be on the
   * file that is at that path now: if the lock file was deleted and created again meanwhile, a
   * lock on the old inode would let two processes write.
   */
  private lockCurrentLockFile(): number | null {
    const f = fs();
    for (let attempt = 0; attempt < 3; attempt++) {
      const fd = f.openSync(this.lockFile, f.constants.O_RDWR | f.constants.O_CREAT, 0o600);
      let locked: boolean;
      try {
        locked = native().flockExclusive(fd);
      } catch (cause) {
        f.closeSync(fd);
        throw this.unavailable('io', `cannot lock ${this.lockFile}`, cause);
      }
      if (!locked) {
        f.closeSync(fd);
        return null;
      }
      let current: boolean;
      try {
        current = f.fstatSync(fd).ino === f.statSync(this.lockFile, { throwIfNoEntry: false })?.ino;
      } catch (err) {
        f.closeSync(fd); // never keep a lock we are not using
        throw err;
      }
      if (current) return fd;
      f.closeSync(fd);
    }
    throw this.unavailable('io', `the lock file ${this.lockFile} keeps being replaced`);
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
    const f = fs();
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        if (!this.writer) this.becomeWriter(); // compaction failed after the rename
        if (this.dirtyTail) this.endTornTail();
        const bytes = Buffer.from(batch.map((p) => p.line).join(''), 'utf8');
        this.dirtyTail = true;
        for (let off = 0; off < bytes.length;) {
          off += await call<number>((cb) => f.write(this.fd, bytes, off, bytes.length - off, null, cb));
        }
        await call<void>((cb) => f.fdatasync(this.fd, cb));
        this.dirtyTail = false;
        this.consumed += bytes.length;
        for (const p of batch) p.resolve();
      } catch (cause) {
        const err = isStartGuardError(cause)
          ? cause
          : this.unavailable('io', `cannot append to the revocation file ${this.file}`, cause);
        for (const p of batch) p.reject(err);
      }
      if (this.writer && !this.dirtyTail && this.consumed >= this.compactCheckAt) await this.compact();
    }
    this.flushing = null;
  }

  /**
   * After a failed append: keep what reached the file (reading processes may already have applied
   * its complete lines, so cutting it back would leave them reading from the middle of the next
   * record), and end a partial last line with a newline so every reader skips it as one bad line.
   */
  private endTornTail(): void {
    const f = fs();
    const size = f.fstatSync(this.fd).size;
    if (size > this.consumed) this.readTail(size);
    if (size > this.consumed) {
      f.writeSync(this.fd, '\n');
      this.consumed = size + 1;
    }
    this.dirtyTail = false;
  }

  /**
   * Rewrites the live entries to a temporary file, syncs it, renames it over the log and syncs the
   * directory, once at least half of the log is dead (expired or superseded). Checked each time
   * the log doubles, so the cost stays proportional to the appends. Never throws: a failed
   * compaction leaves the old log, which is still correct.
   */
  private async compact(): Promise<void> {
    const f = fs();
    this.table.prune(this.now());
    const live = Buffer.from(encodeTable(this.table), 'utf8');
    this.compactCheckAt = Math.max(this.compactMinBytes, this.consumed * 2);
    if (live.length * 2 > this.consumed) return;
    const tmp = `${this.file}.compact`;
    try {
      const handle = await f.promises.open(tmp, 'w', 0o600);
      try {
        await handle.writeFile(live);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await f.promises.rename(tmp, this.file);
    } catch {
      await f.promises.rm(tmp, { force: true }).catch(() => {});
      return;
    }
    try {
      fsyncDirectory(this.file);
      const fd = f.openSync(this.file, f.constants.O_RDWR | f.constants.O_APPEND);
      f.closeSync(this.fd);
      this.fd = fd;
      this.ino = f.fstatSync(fd).ino;
      this.consumed = live.length;
      this.compactCheckAt = Math.max(this.compactMinBytes, live.length * 2);
    } catch {
      // The log was replaced but could not be reopened: let go, the next write starts afresh.
      this.dropWriter();
    }
  }
}

/** Makes the entries of `file`'s directory (a creation, a rename) durable. */
function fsyncDirectory(file: string): void {
  const f = fs();
  const fd = f.openSync(nodePath().dirname(file), 'r');
  try {
    f.fsyncSync(fd);
  } finally {
    f.closeSync(fd);
  }
}

/** A Node callback API as a promise. */
function call<T>(start: (cb: (err: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value))));
}
