// The revocation store contract shared by the memory, file and Redis stores.

/** What a store needs of a session to decide whether it is revoked. */
export interface RevocableSession {
  id: string;
  userId: string;
  /** When the session was created (first sign-in of this id), epoch milliseconds. */
  createdAtMs: number;
}

export interface RevocationStore {
  /** Lists a session id as revoked until `expiresAt` (epoch seconds), after which it is dropped. */
  revoke(sessionId: string, expiresAt: number): Promise<void>;
  /**
   * Revokes every session of `userId` created before `atMs` (epoch ms): a watermark, kept until
   * `keepUntil` (epoch seconds; the latest expiry of any session it must cover). A later call
   * with a higher watermark replaces it; a lower one never lowers it.
   */
  revokeUserBefore(userId: string, atMs: number, keepUntil: number): Promise<void>;
  /** True when the id is listed or the session predates its user's watermark. */
  isRevoked(session: RevocableSession): Promise<boolean>;
  /** Releases files, timers and locks (optional). */
  close?(): Promise<void>;
}
