// recordServerFnIds(): a serverFns.generateFunctionId for tanstackStart() that writes down which
// source file and export each server-function id belongs to, so the audit can name functions
// (the production manifest in dist/server has only `id -> { functionName, importer }`).
//
// Why it is sound: Start's compiler calls generateFunctionId for every createServerFn it compiles
// in a production build, with the same { filename, functionName } it would hash, and uses what it
// returns. The recorder returns what the app's own generator returns, or undefined (Start's
// default id), and records the id Start will use. The audit joins the record to the manifest by
// id, so a stale or partial record can only leave a function unnamed, never hide it.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { argTypeError, optionalString } from './args.js';
import { defaultServerFnId, exportNameOf } from './ids.js';

/** What Start passes to serverFns.generateFunctionId. */
export interface GenerateFunctionIdInput {
  filename: string;
  functionName: string;
}
export type GenerateFunctionId = (input: GenerateFunctionIdInput) => string | undefined;

export interface RecordServerFnIdsOptions {
  /** Where to write the record; default `.start-guard/server-fns.json` under the working directory. */
  file?: string;
  /** The app's own id generator, if it has one: its ids are kept and recorded. */
  generateFunctionId?: GenerateFunctionId;
}

/** One entry of the record (and of the audit's discovery). */
export interface RecordedServerFn {
  id: string;
  /** Source file relative to the Vite root, as in serverFnMeta.filename: 'src/lib/fns.ts'. */
  file: string;
  /** The export (variable) name, as in serverFnMeta.name and in 'file#name'. */
  name: string;
  functionName: string;
}

export const RECORD_FORMAT = 'start-guard/server-fns/v1';
export const DEFAULT_RECORD_FILE = '.start-guard/server-fns.json';

export function recordServerFnIds(options: RecordServerFnIdsOptions = {}): GenerateFunctionId {
  if (typeof options !== 'object' || options === null) throw argTypeError('options', 'an object');
  const file = resolve(optionalString('options.file', options.file) ?? DEFAULT_RECORD_FILE);
  const inner = options.generateFunctionId;
  if (inner !== undefined && typeof inner !== 'function') {
    throw argTypeError('options.generateFunctionId', 'a function');
  }
  // One build is one process (Vite builds every environment in it): the record starts empty with
  // the first call and is rewritten whole at each new function, so it never keeps an old build's.
  const entries = new Map<string, RecordedServerFn>();
  let warned = false;

  return (input) => {
    const given = inner?.(input);
    const { filename, functionName } = input;
    // Start falls back to its hash for any falsy answer ('' included).
    const recordedId = given ? given : defaultServerFnId(filename, functionName);
    const key = `${filename}--${functionName}`;
    if (entries.get(key)?.id !== recordedId) {
      entries.set(key, { id: recordedId, file: filename, name: exportNameOf(functionName), functionName });
      try {
        write(file, [...entries.values()]);
      } catch (error) {
        // A record that cannot be written must not fail the build: the audit then names functions
        // by hashing candidate files, and says so.
        if (!warned) {
          warned = true;
          process.emitWarning(
            `start-guard: could not write the server-function record ${file}: ${(error as Error).message}`,
          );
        }
      }
    }
    return given;
  };
}

function write(file: string, functions: RecordedServerFn[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const text = JSON.stringify({ format: RECORD_FORMAT, root: process.cwd(), functions }, null, 2) + '\n';
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}
