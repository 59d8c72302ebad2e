// start-guard: the framework-agnostic core API.
export { StartGuardError, isStartGuardError } from './errors';
export type { StartGuardErrorCode, StartGuardErrorOptions } from './errors';
export { runtimeInfo, randomBytes } from './runtime';
export type { RuntimeInfo } from './runtime';
export { createSealer } from './sealer';
export type {
  Sealer,
  SealerOptions,
  SealOptions,
  UnsealOptions,
  SealedClaims,
  SecretInput,
  UnsealRejectReason,
} from './sealer';
