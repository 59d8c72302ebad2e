// start-guard/start: the TanStack Start integration (ESM only, as Start itself is).
export { createAuth } from './auth.js';
export type {
  Auth,
  AuthOptions,
  ClientSession,
  CsrfOptions,
  IronMigrationOptions,
  Limiter,
  MigratedSession,
  PasswordAccount,
  PasswordSignInOptions,
  PasswordSignInResult,
  PasswordVerifier,
  PublicServerFn,
  RateLimitKeyArgs,
  RateLimitOptions,
  SignInLimits,
  SignInOptions,
  SignOutScope,
  StartOptionsInput,
} from './auth.js';
export { startGuardSerializationAdapter } from './serialization.js';
export type { StartGuardSerializationAdapter } from './serialization.js';
export { sensitivePageHeaders } from './page-headers.js';
