// Node's file-system modules for the file-backed stores, loaded on first use (not when
// start-guard is imported), and the durability helpers those stores share. Server-only: reached
// through the stores' ./native modules, which the browser build swaps out.
import type * as Fs from 'node:fs';
import type * as Path from 'node:path';
import { StartGuardError } from '../errors';

let fsModule: typeof Fs | undefined;
let pathModule: typeof Path | undefined;
export const fs = (): typeof Fs => (fsModule ??= require('node:fs') as typeof Fs);
export const nodePath = (): typeof Path => (pathModule ??= require('node:path') as typeof Path);

/**
 * Creates the directory (0700) and the file (0600) when missing; returns the file's real path.
 * `what` names the store in the error ("revocation", "token").
 */
export function prepareFile(path: string, what: string): string {
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
    throw new StartGuardError('ERR_STORE_UNAVAILABLE', `cannot open the ${what} file ${abs}`, { cause });
  }
}

/** Makes the entries of `file`'s directory (a creation, a rename) durable. */
export function fsyncDirectory(file: string): void {
  const f = fs();
  const fd = f.openSync(nodePath().dirname(file), 'r');
  try {
    f.fsyncSync(fd);
  } finally {
    f.closeSync(fd);
  }
}

/** A Node callback API as a promise. */
export function call<T>(
  start: (cb: (err: NodeJS.ErrnoException | null, value: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value))));
}
