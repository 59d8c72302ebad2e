// start-guard/start: the TanStack Start integration (ESM only, as Start itself is).
export { createAuth } from './auth.js';
export type {
  Auth,
  AuthOptions,
  CsrfOptions,
  Limiter,
  PublicServerFn,
  RateLimitOptions,
  StartOptionsInput,
} from './auth.js';
export { startGuardSerializationAdapter } from './serialization.js';
export type { StartGuardSerializationAdapter } from './serialization.js';
