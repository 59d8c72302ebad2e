// Stands in for lib/native.ts in the browser build: no binary, no Node built-ins. Anything that
// needs the binding is a server-side method, so reaching here is ERR_SERVER_ONLY.
import type { Binding } from '../types/binding';
import { serverOnlyError } from './errors';

/** False here: constructors return inert objects whose methods throw ERR_SERVER_ONLY. */
export const serverRuntime = false;

export function native(): Binding {
  throw serverOnlyError();
}
