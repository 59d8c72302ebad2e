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
export type { LoginResetOptions } from './ratelimit/login';
export type { LoginCheckOptions } from './ratelimit/login';
export { normalizeIdentifier } from './ratelimit/identifier';
export { clientAddress } from './client-address/client-address';
export { safeRedirect } from './safe-redirect';
export type { SafeRedirectOptions } from './safe-redirect';
export type {
  ClientAddress,
  ClientAddressInput,
  ClientAddressOptions,
  HeadersInput,
} from './client-address/client-address';
export { createSingleUseTokens } from './tokens/tokens';
export type {
  SingleUseTokens,
  SingleUseTokensOptions,
  IssueOptions,
  IssuedToken,
  RedeemOptions,
  RedeemedToken,
  TokenRejectReason,
} from './tokens/tokens';
export type { TokenRecord, TokenStore } from './tokens/types';
export { createMemoryTokenStore } from './tokens/memory';
export type { MemoryTokenStoreOptions } from './tokens/memory';
export { createFileTokenStore } from './tokens/file';
export type { FileTokenStoreOptions } from './tokens/file';
export { createPasswordReset } from './flows/password-reset';
export type { PasswordReset, PasswordResetOptions, ResetUser, PasswordHashing } from './flows/password-reset';
export { createEmailVerification } from './flows/email-verification';
export type { EmailVerification, EmailVerificationOptions, VerifiedEmail } from './flows/email-verification';
export type { FlowOptions, LinkMessage, RequestAnswer } from './flows/common';
export type { QueueOptions } from './flows/queue';
export { requestLimits } from './ratelimit/request-limits';
export { resetLimits, registrationLimits, RESET_DEFAULTS, REGISTRATION_DEFAULTS } from './ratelimit/presets';
export type { FormLimitsOptions } from './ratelimit/presets';
export type {
  RequestLimits,
  RequestLimitsOptions,
  RequestVerdict,
  RequestClient,
  TakeLimiter,
} from './ratelimit/request-limits';
export { createPasswordHasher } from './passwords/hasher';
export type { PasswordHasher, VerifyAndRehashResult } from './passwords/hasher';
export { hashPassword, verifyPassword, needsRehash, verifyAndRehash } from './passwords/defaults';
export type { PasswordHasherOptions, Argon2Options, Argon2Ceilings, Pepper } from './passwords/options';
export type { NormalizationForm } from './passwords/salt';
export type { TokenSecret } from './tokens/tokens';
