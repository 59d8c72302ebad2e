// start-guard/redis in the browser: route modules that build stores are evaluated there too, so
// constructing is free and inert, and every call refuses with ERR_SERVER_ONLY. The error class is
// the core's (imported from `start-guard`, never a second copy); no client, no node: module.
import { StartGuardError } from 'start-guard';
import type {
  RedisRateLimitStore,
  RedisRateLimitStoreOptions,
  RedisRevocationStore,
  RedisRevocationStoreOptions,
} from './index.js';

const refuse = async (): Promise<never> => {
  throw new StartGuardError('ERR_SERVER_ONLY', 'this start-guard function runs on the server only');
};

export function createRedisRateLimitStore(options: RedisRateLimitStoreOptions): RedisRateLimitStore {
  return {
    onUnavailable: options?.onUnavailable ?? 'local',
    take: refuse,
    peek: refuse,
    refund: refuse,
    reset: refuse,
    close: refuse,
  };
}

export function createRedisRevocationStore(_options: RedisRevocationStoreOptions): RedisRevocationStore {
  return { revoke: refuse, revokeUserBefore: refuse, isRevoked: refuse, close: refuse };
}
