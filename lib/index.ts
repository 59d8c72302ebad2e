// start-guard: the framework-agnostic core API.
export { StartGuardError, isStartGuardError } from './errors';
export type { StartGuardErrorCode, StartGuardErrorOptions } from './errors';
export { runtimeInfo, randomBytes } from './runtime';
export type { RuntimeInfo } from './runtime';
