// The revocation writes as Lua scripts, so that concurrent writers from several instances can only
// ever extend an entry: a revoked id is kept until the latest expiry anyone gave it, and a user's
// watermark is never lowered and kept until the latest keepUntil. Each script touches one key
// (Redis Cluster safe). Times are epoch milliseconds; the key expires at its keep-until time.

// KEYS[1]: the revoked id; its value is its keep-until time. ARGV[1]: keep-until (ms).
export const REVOKE_SCRIPT = `
local keep = tonumber(ARGV[1])
local old = tonumber(redis.call('GET', KEYS[1]))
if old and old >= keep then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[1])
return 1
`;

// KEYS[1]: the user's watermark, as '<atMs>:<keepUntilMs>'. ARGV[1]: atMs, ARGV[2]: keep-until.
// atMs is kept as the caller's decimal text (it may have a fraction: never rounded down).
export const WATERMARK_SCRIPT = `
local at, keep = ARGV[1], tonumber(ARGV[2])
local v = redis.call('GET', KEYS[1])
if v then
  local sep = string.find(v, ':', 1, true)
  local old_at, old_keep = string.sub(v, 1, sep - 1), tonumber(string.sub(v, sep + 1))
  if tonumber(old_at) >= tonumber(at) then
    if old_keep >= keep then return 0 end
    at = old_at
  end
  if old_keep > keep then keep = old_keep end
end
redis.call('SET', KEYS[1], at .. ':' .. string.format('%d', keep), 'PXAT', string.format('%d', keep))
return 1
`;
