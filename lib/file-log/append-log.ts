// An append-only log file with checksummed lines (./lines.ts), shared by the file revocation and
// token stores: readers follow it (new tail on growth, whole reload when compaction replaced
// it); the process holding the store's lock (./lock.ts) appends, each batch written and
// fdatasync'ed before it is acknowledged, and compacts it once half of it is dead. What the
// records mean, and when the lock is taken, belong to each store.
import { decodeLines } from './lines';
import { call, fs, fsyncDirectory } from './fs';

export interface LogHooks<R> {
  /** A line's parsed JSON as a record, or null when its shape is wrong (the line is skipped). */
  decode(value: unknown): R | null;
  /** Applies records read from the file; `whole` when the file was read from its start. */
  load(records: R[], whole: boolean): void;
}

export class AppendLog<R> {
  /** The log: read-only while following, O_RDWR | O_APPEND once appending. */
  private fd = -1;
  private ino = -1;
  /** Bytes of complete lines applied; for the appender, the file's size. */
  private consumed = 0;
  private appending = false;
  /** A write failed midway: the file may end in a partial line, ended by endTornTail first. */
  private dirtyTail = false;
  private compactCheckAt: number;

  constructor(
    readonly file: string,
    private readonly hooks: LogHooks<R>,
    private readonly compactMinBytes: number,
  ) {
    this.compactCheckAt = compactMinBytes;
  }

  // --- reading ---------------------------------------------------------------------------------

  /** Applies what other processes appended, or the whole file when it was replaced. */
  follow(): void {
    const st = fs().statSync(this.file, { throwIfNoEntry: false });
    if (st === undefined) return; // removed by hand: keep what is known rather than forget it
    if (this.fd < 0 || st.ino !== this.ino || st.size < this.consumed) {
      this.reload(fs().openSync(this.file, 'r'));
      this.appending = false;
    } else if (st.size !== this.consumed) {
      this.readTail(st.size);
    }
  }

  /** Reads the whole file behind `fd` (which the log then owns); returns its size. */
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
    const chunk = decodeLines(bytes, this.hooks.decode);
    this.hooks.load(chunk.records, true);
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
    const chunk = decodeLines(bytes.subarray(0, got), this.hooks.decode);
    this.hooks.load(chunk.records, false);
    this.consumed += chunk.consumed;
  }

  // --- appending (with the store's lock held) --------------------------------------------------

  /**
   * Starts appending: reloads the file as it is (a previous writer may have compacted it), and
   * cuts a torn last record so the next append starts on a fresh line. Only the lock holder may
   * cut: no reader ever consumes past the last newline, so nothing it applied goes away.
   */
  openForAppend(): void {
    const f = fs();
    const fd = f.openSync(this.file, f.constants.O_RDWR | f.constants.O_APPEND | f.constants.O_CREAT, 0o600);
    const size = this.reload(fd);
    if (size > this.consumed) {
      f.ftruncateSync(fd, this.consumed);
      f.fdatasyncSync(fd);
    }
    // The file's directory entry is durable too before the first append is acknowledged.
    fsyncDirectory(this.file);
    this.dirtyTail = false;
    this.appending = true;
  }

  /**
   * For stores whose processes take turns with the lock: with it held again, applies what the
   * others appended meanwhile (or everything, after a compaction), then cuts a torn last record.
   */
  catchUp(): void {
    const f = fs();
    const st = f.statSync(this.file, { throwIfNoEntry: false });
    if (!this.appending || st === undefined || st.ino !== this.ino || st.size < this.consumed) {
      this.openForAppend();
      return;
    }
    if (st.size > this.consumed) this.readTail(st.size);
    if (st.size > this.consumed) {
      f.ftruncateSync(this.fd, this.consumed);
      f.fdatasyncSync(this.fd);
    }
    this.dirtyTail = false;
  }

  /** The next follow or catchUp reads the whole file again (after a failed write: the file is the truth). */
  invalidate(): void {
    this.appending = false;
    this.ino = -1;
  }

  get isAppending(): boolean {
    return this.appending;
  }

  /** Resolves once `text` is on disk (written and fdatasync'ed). */
  async append(text: string): Promise<void> {
    const f = fs();
    if (this.dirtyTail) this.endTornTail();
    const bytes = Buffer.from(text, 'utf8');
    this.dirtyTail = true;
    for (let off = 0; off < bytes.length;) {
      off += await call<number>((cb) => f.write(this.fd, bytes, off, bytes.length - off, null, cb));
    }
    await call<void>((cb) => f.fdatasync(this.fd, cb));
    this.dirtyTail = false;
    this.consumed += bytes.length;
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

  /** True when the log has doubled since compaction was last considered. */
  get compactionDue(): boolean {
    return this.appending && !this.dirtyTail && this.consumed >= this.compactCheckAt;
  }

  /**
   * Rewrites the live entries (`live`, already encoded) to a temporary file, syncs it, renames it
   * over the log and syncs the directory, once at least half of the log is dead (expired or
   * superseded). Checked each time the log doubles, so the cost stays proportional to the
   * appends. Never throws: a failed compaction leaves the old log, which is still correct.
   * Returns false when the log was replaced but could not be reopened: the store must stop
   * appending (its next write starts afresh).
   */
  async compact(live: string): Promise<boolean> {
    const f = fs();
    const bytes = Buffer.from(live, 'utf8');
    this.compactCheckAt = Math.max(this.compactMinBytes, this.consumed * 2);
    if (bytes.length * 2 > this.consumed) return true;
    const tmp = `${this.file}.compact`;
    try {
      const handle = await f.promises.open(tmp, 'w', 0o600);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await f.promises.rename(tmp, this.file);
    } catch {
      await f.promises.rm(tmp, { force: true }).catch(() => {});
      return true;
    }
    try {
      fsyncDirectory(this.file);
      const fd = f.openSync(this.file, f.constants.O_RDWR | f.constants.O_APPEND);
      f.closeSync(this.fd);
      this.fd = fd;
      this.ino = f.fstatSync(fd).ino;
      this.consumed = bytes.length;
      this.compactCheckAt = Math.max(this.compactMinBytes, bytes.length * 2);
      return true;
    } catch {
      this.appending = false;
      return false;
    }
  }

  close(): void {
    if (this.fd >= 0) fs().closeSync(this.fd);
    this.fd = -1;
    this.appending = false;
  }
}
