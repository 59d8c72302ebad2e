// The token bucket of native/core/gcra.cpp (GCRA: one theoretical arrival time per key, the moment
// the bucket is full again) as one atomic Lua script on Redis server time: app servers whose
// clocks disagree still share one clock, and a take is one round trip (read and write in one
// script). One key per bucket, so the script is Redis Cluster safe without hash tags.
//
// The script does only what needs Redis: read the clock and the bucket, decide, write. It answers
// one integer, and the store derives `remaining` and `retryAfterMs` from it (rateResult below),
// in the same arithmetic on the same doubles. Each step that was dropped from the script was
// measured (bench/redis.mjs, INFO commandstats): a three-element reply table cost ~0.6 µs of Redis
// time, the decimal TAT's string.sub/string.format ~1.5 µs, each division with its correction a
// little more.
//
// KEYS[1]: the bucket, absent when full (the key expires at its TAT, plus 2 ms: a full bucket
//   carries no information). Its value is the TAT as two little-endian doubles (struct.pack
//   '<dd'): a Redis TIME second, and the nanoseconds from that second to the TAT. The pair needs
//   no decimal parsing or formatting, and is exact while the second part is under 2^53 (a bucket
//   that refills within 104 days); past that, within a microsecond.
// ARGV: op ('t' take, 'p' peek, 'r' refund), cost × emission interval (ns), burst (capacity ×
//   interval, ns), as decimal text.
// Reply: take and peek answer the nanoseconds owed after the take (> 0) when it is allowed, or
//   minus the nanoseconds owed now (<= 0) when it is refused; refund answers the nanoseconds
//   still owed after it (0 when the bucket is full again).
//
// Lua 5.1 numbers are doubles: every quantity here (owed, cost × interval, burst) is an exact
// integer while under 2^53 ns, and the nanosecond TAT (~1.8e18) is never formed as one number.
// The expiry is `owed / 1e6 + 2` ms, truncated (%d): at least a millisecond past the TAT even when
// Redis's millisecond clock is a little behind its TIME, so a bucket is never forgotten early.
//
// A bucket never owes more than its burst: TIME stepping back (an NTP step, a failover to a replica
// whose clock is behind) leaves TATs further ahead than a drained bucket's, and a capacity lowered
// under one name (a rolling deploy) leaves the old, longer ones. Read as they are, they would
// refuse every recently used key for the whole step; owed is clamped to the burst (the bucket is
// drained, and refills from now), and the clamped TAT is written back even by a peek or a refused
// take, so the bucket refills from the step rather than from its old TAT.
export const RATE_SCRIPT = `
local t = redis.call('TIME')
local v = redis.call('GET', KEYS[1])
local burst = tonumber(ARGV[3])
local owed, write = 0, false
if v then
  local s, ns = struct.unpack('<dd', v)
  owed = (s - t[1]) * 1e9 + (ns - t[2] * 1000)
  if owed < 0 then owed = 0 elseif owed > burst then owed, write = burst, true end
end
local op, reply = ARGV[1], 0
if op == 'r' then
  if owed == 0 then return 0 end
  owed = owed - ARGV[2]
  if owed <= 0 then
    redis.call('DEL', KEYS[1])
    return 0
  end
  reply, write = owed, true
else
  reply = owed + ARGV[2]
  if reply > burst then reply = -owed elseif op == 't' then owed, write = reply, true end
end
if write then
  redis.call('SET', KEYS[1], struct.pack('<dd', t[1], t[2] * 1000 + owed), 'PX', string.format('%d', owed / 1e6 + 2))
end
return reply
`;

/** The script's numbers for one limiter: what rateResult needs too. */
export interface RateBucket {
  /** The emission interval in nanoseconds (1e9 / refill, rounded as the native table does). */
  readonly interval: number;
  /** capacity × interval in nanoseconds, as the double the script compares with. */
  readonly burst: number;
}

/**
 * The RateLimitResult of a take or peek of `cost` from the script's reply (an integer; see
 * RATE_SCRIPT), or null for any other reply. The same double arithmetic as the script's, so
 * `remaining` and `retryAfterMs` are the native table's exactly in its exact range.
 */
export function rateResult(
  reply: unknown,
  cost: number,
  b: RateBucket,
): { allowed: boolean; remaining: number; retryAfterMs: number } | null {
  if (typeof reply !== 'number' || !Number.isFinite(reply)) return null;
  if (reply > 0) return { allowed: true, remaining: floorDiv(b.burst - reply, b.interval), retryAfterMs: 0 };
  const owed = -reply;
  // Milliseconds until the take fits, rounded up: ceil(x / 1e6) as floor((x + 999999) / 1e6).
  const wait = floorDiv(owed + cost * b.interval - b.burst + 999_999, 1e6);
  // Never below 0: past 2^53 ns, the owed time read back can round a little above the burst.
  const remaining = Math.max(0, floorDiv(b.burst - owed, b.interval));
  return { allowed: false, remaining, retryAfterMs: wait };
}

/**
 * floor(a / b) for integers held in doubles: the rounded quotient can carry up to the next
 * integer (only past 2^53), corrected down when q × b > a.
 */
function floorDiv(a: number, b: number): number {
  const q = Math.floor(a / b);
  return q * b > a ? q - 1 : q;
}
