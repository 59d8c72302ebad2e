// One event sink for every component. Events carry no secret, token or password: personal data
// is limited to userId, sessionId and ip (documented in the README).

interface EventBase {
  /** Epoch milliseconds. */
  at: number;
  userId?: string;
  sessionId?: string;
  ip?: string;
  reason?: string;
}

export type StartGuardEvent =
  | (EventBase & { type: 'session.created' })
  | (EventBase & { type: 'session.revoked' })
  | (EventBase & { type: 'session.rejected' })
  // Password reset and e-mail verification (lib/flows): never the token, never the address.
  | (EventBase & { type: 'reset.requested' })
  | (EventBase & { type: 'reset.sent' })
  | (EventBase & { type: 'reset.failed' })
  | (EventBase & { type: 'reset.rejected' })
  | (EventBase & { type: 'reset.completed' })
  | (EventBase & { type: 'verify.requested' })
  | (EventBase & { type: 'verify.sent' })
  | (EventBase & { type: 'verify.failed' })
  | (EventBase & { type: 'verify.rejected' })
  | (EventBase & { type: 'verify.completed' })
  | (EventBase & { type: 'logout' })
  | (EventBase & { type: 'login.success' })
  | (EventBase & { type: 'login.failure' })
  | (EventBase & { type: 'ratelimit.blocked'; limiter?: string; retryAfterMs?: number })
  | (EventBase & { type: 'csrf.blocked' })
  | (EventBase & { type: 'auth.denied' })
  | (EventBase & { type: 'reauth.required' })
  | (EventBase & { type: 'store.unavailable'; limiter?: string })
  /** A password hasher refused a call: the pool's queue or memory budget is full (reason). */
  | (EventBase & { type: 'hash.overloaded' })
  /** A rate limiter refused a new key: its table is full of buckets still limiting (key flood). */
  | (EventBase & { type: 'ratelimit.full'; limiter?: string });

export type StartGuardEventType = StartGuardEvent['type'];
export type EventSink = (event: StartGuardEvent) => void;

/** Calls the sink without awaiting it; its errors (sync or async) are swallowed. */
export function emit(sink: EventSink | undefined, event: StartGuardEvent): void {
  if (sink === undefined) return;
  try {
    const r = sink(event) as unknown;
    if (r !== null && typeof r === 'object' && typeof (r as Promise<unknown>).catch === 'function') {
      (r as Promise<unknown>).catch(() => {});
    }
  } catch {
    // An event sink must never change what the request does.
  }
}
