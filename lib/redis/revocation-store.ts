// createRedisRevocationStore: the revocation store contract (lib/revocation/types.ts) on Redis,
// shared by every instance of an app. Slow or unavailable Redis is ERR_STORE_UNAVAILABLE (503)
// within `timeoutMs`: a revocation check never passes silently.
import { StartGuardError } from '../errors';
import { checkId, checkSeconds, checkSession, checkWatermarkMs } from '../revocation/args';
import type { RevocableSession, RevocationStore } from '../revocation/types';
import { RedisLink } from './client';
import { digest } from './keys';
import { type RedisStoreOptions, checkStoreOptions } from './options';
import { REVOKE_SCRIPT, WATERMARK_SCRIPT } from './revocation-scripts';
import { RedisScript } from './script';

export type RedisRevocationStoreOptions = RedisStoreOptions;

export interface RedisRevocationStore extends RevocationStore {
  /** Stops listening to the client (which stays yours to close); later calls reject. */
  close(): Promise<void>;
}

const revokeScript = new RedisScript(REVOKE_SCRIPT);
const watermarkScript = new RedisScript(WATERMARK_SCRIPT);

// Entries expire on Redis's clock, sessions on each app server's: kept a minute past their time,
// a revocation still holds on an app server whose clock runs up to a minute behind Redis's.
export const EXPIRY_GRACE_MS = 60_000;

export function createRedisRevocationStore(options: RedisRevocationStoreOptions): RedisRevocationStore {
  const { client, prefix, timeoutMs, onEvent } = checkStoreOptions(options);
  const link = new RedisLink({ client, timeoutMs, onEvent, label: 'revocation' });
  const idKey = (sessionId: string): string => `${prefix}rv:id:${digest(sessionId)}`;
  const userKey = (userId: string): string => `${prefix}rv:user:${digest(userId)}`;
  const keepUntilMs = (seconds: number): string => String(Math.ceil(seconds * 1000) + EXPIRY_GRACE_MS);

  return {
    async revoke(sessionId: string, expiresAt: number): Promise<void> {
      checkId('sessionId', sessionId);
      checkSeconds('expiresAt', expiresAt);
      await revokeScript.run(link, [idKey(sessionId)], [keepUntilMs(expiresAt)]);
    },
    async revokeUserBefore(userId: string, atMs: number, keepUntil: number): Promise<void> {
      checkId('userId', userId);
      checkWatermarkMs('atMs', atMs);
      checkSeconds('keepUntil', keepUntil);
      await watermarkScript.run(link, [userKey(userId)], [String(atMs), keepUntilMs(keepUntil)]);
    },
    async isRevoked(session: RevocableSession): Promise<boolean> {
      checkSession(session);
      // Both reads in one round trip (MGET; on a cluster, two GETs to their own nodes at once).
      const [id, mark] = await link.getAll([idKey(session.id), userKey(session.userId)]);
      if (id !== null) return true;
      if (mark === null) return false;
      const at = typeof mark === 'string' ? Number(mark.slice(0, mark.indexOf(':'))) : NaN;
      // A watermark that cannot be read is refused, never taken as "no watermark" (fail closed).
      if (!Number.isFinite(at)) {
        throw new StartGuardError(
          'ERR_STORE_UNAVAILABLE',
          'the Redis revocation store holds an unreadable watermark',
        );
      }
      return session.createdAtMs < at;
    },
    async close(): Promise<void> {
      link.close();
    },
  };
}
