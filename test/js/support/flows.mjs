// A small application around the e-mail flows, as a user would write it: users in a Map, an
// outbox that `send` fills, sessions with a memory revocation store, and the flows' limits.
import {
  createEmailVerification,
  createMemoryRevocationStore,
  createMemoryTokenStore,
  createPasswordHasher,
  createPasswordReset,
  createSessionManager,
  createSingleUseTokens,
  requestLimits,
} from 'start-guard';

/** A token bucket per key (capacity, refill per second): what the flows' limits take from. */
export function bucketLimiter({ capacity, refillPerSecond }) {
  const buckets = new Map();
  return {
    async take(key, cost = 1) {
      const now = performance.now() / 1000;
      const b = buckets.get(key) ?? { tokens: capacity, at: now };
      b.tokens = Math.min(capacity, b.tokens + (now - b.at) * refillPerSecond);
      b.at = now;
      buckets.set(key, b);
      if (b.tokens >= cost) {
        b.tokens -= cost;
        return { allowed: true, remaining: Math.floor(b.tokens), retryAfterMs: 0 };
      }
      return {
        allowed: false,
        remaining: 0,
        retryAfterMs: Math.ceil(((cost - b.tokens) / refillPerSecond) * 1000),
      };
    },
  };
}

export function limits(
  kind,
  {
    perClient = { capacity: 1000, refillPerSecond: 1 },
    perAddress = { capacity: 1000, refillPerSecond: 1 },
    onEvent,
  } = {},
) {
  return requestLimits({
    perClient: bucketLimiter(perClient),
    perAddress: bucketLimiter(perAddress),
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
