// A small limiter with the interface start-guard's guards take (createRateLimiter's): three calls
// per key, then refused for a minute. Enough to check the 429 on the wire.
export const limiter = {
  used: new Map<string, number>(),
  async take(key: string) {
    const n = (this.used.get(key) ?? 0) + 1;
    this.used.set(key, n);
    return n <= 3
      ? { allowed: true, remaining: 3 - n, retryAfterMs: 0 }
      : { allowed: false, remaining: 0, retryAfterMs: 60_000 };
  },
};
