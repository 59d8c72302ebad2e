// start-guard/redis: the rate-limit and revocation stores on Redis, for apps on several instances.
// The application brings its own node-redis client; this entry never imports one.
export { createRedisRateLimitStore } from './rate-store';
export type { RedisRateLimitStore, RedisRateLimitStoreOptions } from './rate-store';
export { createRedisRevocationStore } from './revocation-store';
export type { RedisRevocationStore, RedisRevocationStoreOptions } from './revocation-store';
export type { RedisClientLike, RedisClusterLike } from './client';
export type { RedisStoreOptions } from './options';
