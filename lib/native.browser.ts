// Stands in for lib/native.ts in the browser build: no binary, no Node built-ins. Anything that
// needs the binding is a server-side method, so reaching here is ERR_SERVER_ONLY.
import type { Binding } from '../types/binding';
import { StartGuardError } from './errors';

export function native(): Binding {
  throw new StartGuardError('ERR_SERVER_ONLY', 'this start-guard function runs on the server only');
}
