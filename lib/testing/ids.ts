// How Start 1.169 names a server function. Its compiler (start-plugin-core, compiler.ts
// generateFunctionId) calls serverFns.generateFunctionId({ filename, functionName }) in
// production builds only, and when that returns nothing uses SHA-256 hex of
// `${filename}--${functionName}`: `filename` is the source file relative to the Vite root,
// `functionName` the variable's name + `_createServerFn_handler` (+ `_N` when a file reuses a name).
import { createHash } from 'node:crypto';

const HANDLER_SUFFIX = /^(.+?)_createServerFn_handler(?:_\d+)?$/;

/** The id Start gives a function when no generator (or one returning undefined) is configured. */
export function defaultServerFnId(filename: string, functionName: string): string {
  return createHash('sha256').update(`${filename}--${functionName}`).digest('hex');
}

/** The export name (what serverFnMeta.name and 'file#name' use) from the compiler's functionName. */
export function exportNameOf(functionName: string): string {
  return HANDLER_SUFFIX.exec(functionName)?.[1] ?? functionName;
}
