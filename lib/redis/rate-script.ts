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
// Each floor(a / b) is math.floor of the rounded quotient, corrected down when q × b > a (the
// rounding can only carry it up to the next integer). Written flat, without helper closures:
// measured at ~7.7 µs of server time per call against ~9.5 µs with them (Redis 7.0).
export const RATE_SCRIPT = `
local t = redis.call('TIME')
local now_s, now_ns = tonumber(t[1]), tonumber(t[2]) * 1000
local cost, interval, burst = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local owed = 0
local v = redis.call('GET', KEYS[1])
if v then
  owed = (tonumber(string.sub(v, 1, -10)) - now_s) * 1e9 + (tonumber(string.sub(v, -9)) - now_ns)
  if owed < 0 then owed = 0 end
end
local op, o, reply = ARGV[1], 0, 0
if op == 'refund' then
  if owed == 0 then return 0 end
  o = owed - cost * interval
else
  local nxt = owed + cost * interval
  if nxt > burst then
    local r = math.floor((burst - owed) / interval)
    if r * interval > burst - owed then r = r - 1 end
    local w = nxt - burst + 999999
    local ms = math.floor(w / 1e6)
    if ms * 1e6 > w then ms = ms - 1 end
    return { 0, r, ms }
  end
  local r = math.floor((burst - nxt) / interval)
  if r * interval > burst - nxt then r = r - 1 end
  reply = { 1, r, 0 }
  if op == 'peek' then return reply end
  o = nxt
end
if o <= 0 then
  redis.call('DEL', KEYS[1])
  return reply
end
local ns = now_ns + o
local s = math.floor(ns / 1e9)
if s * 1e9 > ns then s = s - 1 end
local w = o + 999999
local ms = math.floor(w / 1e6)
if ms * 1e6 > w then ms = ms - 1 end
redis.call('SET', KEYS[1], string.format('%d%09d', now_s + s, ns - s * 1e9), 'PX', ms)
return reply
`;
