// The one-writer rule of the file-backed stores: an exclusive flock(2) on `<file>.lock`, taken
// without blocking (the event loop never waits on another process).
import { native } from '../native';
import { fs } from './fs';

/**
 * Opens and flocks `lockFile`; returns its descriptor (closing it releases the lock), or null
 * when another process (or another open file description) holds it. The lock must be on the file
 * that is at that path now: if the lock file was deleted and created again meanwhile, a lock on
 * the old inode would let two processes write. `fail` builds the error for any other failure.
 */
export function lockCurrentFile(
  lockFile: string,
  fail: (message: string, cause?: unknown) => Error,
): number | null {
  const f = fs();
  for (let attempt = 0; attempt < 3; attempt++) {
    const fd = f.openSync(lockFile, f.constants.O_RDWR | f.constants.O_CREAT, 0o600);
    let locked: boolean;
    try {
      locked = native().flockExclusive(fd);
    } catch (cause) {
      f.closeSync(fd);
      throw fail(`cannot lock ${lockFile}`, cause);
    }
    if (!locked) {
      f.closeSync(fd);
      return null;
    }
    let current: boolean;
    try {
      current = f.fstatSync(fd).ino === f.statSync(lockFile, { throwIfNoEntry: false })?.ino;
    } catch (err) {
      f.closeSync(fd); // never keep a lock we are not using
      throw err;
    }
    if (current) return fd;
    f.closeSync(fd);
  }
  throw fail(`the lock file ${lockFile} keeps being replaced`);
}
