// The token bucket of native/core/gcra.cpp (GCRA: one theoretical arrival time per key, the moment
// the bucket is full again) as one atomic Lua script on Redis server time: app servers whose
// clocks disagree still share one clock, and a take is one round trip (read and write in one
// script). One key per bucket, so the script is Redis Cluster safe without hash tags.
//
// KEYS[1]: the bucket, its TAT as integer nanoseconds since the epoch in decimal text; absent
//   when the bucket is full (the key expires at its TAT: a full bucket carries no information).
// ARGV: op ('take' | 'peek' | 'refund'), cost, emission interval (ns), burst (capacity × interval).
// Reply (take, peek): { allowed (1/0), remaining, retryAfterMs }; refund: 0.
//
// Lua 5.1 numbers are doubles, and nanoseconds since the epoch (~1.8e18) are past 2^53. So the
// TAT is split into seconds and nanoseconds when read, and all arithmetic is on `owed` (TAT − now,
// between 0 and the burst): exact integers, hence the same answers as the native table, as long
// as a drained bucket refills within 2^53 ns (104 days); past that, within a microsecond.
export const RATE_SCRIPT = `
local function idiv(a, b)
  local q = math.floor(a / b)
  if q * b > a then q = q - 1 elseif (q + 1) * b <= a then q = q + 1 end
  return q
end
local t = redis.call('TIME')
local now_s, now_ns = tonumber(t[1]), tonumber(t[2]) * 1000
local op, cost, interval, burst = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local owed = 0
local v = redis.call('GET', KEYS[1])
if v then
  owed = (tonumber(string.sub(v, 1, -10)) - now_s) * 1e9 + (tonumber(string.sub(v, -9)) - now_ns)
  if owed < 0 then owed = 0 end
end
local function keep(o)
  if o <= 0 then
    redis.call('DEL', KEYS[1])
    return
  end
  local ns = now_ns + o
  local s = idiv(ns, 1e9)
  redis.call('SET', KEYS[1], string.format('%d%09d', now_s + s, ns - s * 1e9), 'PX', idiv(o + 999999, 1e6))
end
if op == 'refund' then
  if owed > 0 then keep(math.max(0, owed - cost * interval)) end
  return 0
end
local next = owed + cost * interval
if next <= burst then
  if op == 'take' then keep(next) end
  return { 1, idiv(burst - next, interval), 0 }
end
return { 0, idiv(burst - owed, interval), idiv(next - burst + 999999, 1e6) }
`;
