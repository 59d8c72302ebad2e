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
export { createSessionManager, SESSION_PURPOSE } from './sessions/manager';
export type {
  Session,
  SessionManager,
  SessionManagerOptions,
  IssuedSession,
  ReadSession,
} from './sessions/manager';
export type { SessionCookieOptions } from './sessions/cookie';
export type { StartGuardEvent, StartGuardEventType, EventSink } from './events';
export { createMemoryRevocationStore } from './revocation/memory';
export type { MemoryRevocationStoreOptions } from './revocation/memory';
export { createFileRevocationStore } from './revocation/file';
export type { FileRevocationStoreOptions } from './revocation/file';
export type { RevocationStore, RevocableSession } from './revocation/types';
export { createRateLimiter } from './ratelimit/limiter';
export type { RateLimiter, RateLimiterOptions } from './ratelimit/limiter';
export type { RateLimitResult, RateLimitStore, RateLimitParams, UnavailablePolicy } from './ratelimit/types';
export { loginLimits } from './ratelimit/login';
export type {
  LoginLimits,
  LoginLimitsOptions,
  LoginAttempt,
  LoginClient,
  BucketSettings,
} from './ratelimit/login';
export { normalizeIdentifier } from './ratelimit/identifier';
export { clientAddress } from './client-address/client-address';
export type {
  ClientAddress,
  ClientAddressInput,
  ClientAddressOptions,
  HeadersInput,
} from './client-address/client-address';
