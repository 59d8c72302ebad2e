// A small application around the e-mail flows, as a user would write it: users in a Map, an
// outbox that `send` fills, sessions with a memory revocation store, and the flows' limits.
import {
  createEmailVerification,
  createMemoryRevocationStore,
  createMemoryTokenStore,
  createPasswordHasher,
  createPasswordReset,
  createRateLimiter,
  createSessionManager,
  createSingleUseTokens,
  requestLimits,
} from 'start-guard';

export function limits(
  kind,
  {
    perClient = { capacity: 1000, refillPerSecond: 1 },
    perAddress = { capacity: 1000, refillPerSecond: 1 },
    onEvent,
  } = {},
) {
  return requestLimits({
    // The real in-process limiter; unnamed, so each test's limits have buckets of their own.
    perClient: createRateLimiter(perClient),
    perAddress: createRateLimiter(perAddress),
    label: kind,
    onEvent,
  });
}

/** The real password hasher, with a small m so the suites stay quick (the policy is the default). */
export const hasher = createPasswordHasher({ argon2: { m: 1024, t: 1 } });

export function app(overrides = {}) {
  const users = new Map([
    ['ada@example.com', { id: 'u-ada', email: 'ada@example.com', passwordHash: 'old' }],
    ['grace@example.com', { id: 'u-grace', email: 'grace@example.com', passwordHash: 'old' }],
  ]);
  const byId = (id) => [...users.values()].find((u) => u.id === id);
  const outbox = [];
  const events = [];
  const revocation = createMemoryRevocationStore();
  const sessions = createSessionManager({ secrets: 'x'.repeat(32), revocation });
  const tokenStore = overrides.tokenStore ?? createMemoryTokenStore();
  const tokens = createSingleUseTokens({ store: tokenStore });
  const onEvent = (e) => events.push(e);
  const calls = { findUser: 0, send: 0 };
  const reset = createPasswordReset({
    tokens,
    url: 'https://app.example.com/reset-password',
    findUser: async (identifier) => (calls.findUser++, users.get(identifier) ?? null),
    send: async (m) => (calls.send++, outbox.push(m)),
    hasher,
    savePassword: async (userId, hash) => void (byId(userId).passwordHash = hash),
    revocation,
    limits: limits('reset', { ...overrides.limits, onEvent }),
    onEvent,
    ...overrides.reset,
  });
  const verification = createEmailVerification({
    tokens,
    url: 'https://app.example.com/verify-email',
    send: async (m) => (calls.send++, outbox.push(m)),
    limits: limits('verification', { ...overrides.limits, onEvent }),
    onEvent,
    ...overrides.verification,
  });
  return {
    users,
    byId,
    outbox,
    events,
    revocation,
    sessions,
    tokens,
    tokenStore,
    reset,
    verification,
    calls,
  };
}

/** The token in a mailed link. */
export const tokenOf = (message) => new URL(message.url).searchParams.get('token');
