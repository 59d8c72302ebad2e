// The in-memory state every embedded store keeps: revoked ids and per-user watermarks, each with
// the time after which it can be forgotten (the last moment a session it covers can still be
// valid). The memory store is this table; the file store is this table plus its log.
import type { RevocableSession } from './types';

export interface Watermark {
  /** Sessions of the user created before this (epoch ms) are revoked. */
  atMs: number;
  /** Epoch seconds after which the watermark is dropped. */
  keepUntil: number;
}

export class RevocationTable {
  readonly ids = new Map<string, number>();
  readonly watermarks = new Map<string, Watermark>();

  /** Lists the id until `expiresAt`; returns false when that changed nothing. */
  revoke(sessionId: string, expiresAt: number): boolean {
    const old = this.ids.get(sessionId);
    if (old !== undefined && old >= expiresAt) return false;
    this.ids.set(sessionId, expiresAt);
    return true;
  }

  /**
   * Raises the user's watermark (never lowers it) and keeps it until the later of both
   * `keepUntil`s: the older watermark may cover sessions that outlive the newer one's keepUntil.
   * Returns false when that changed nothing.
   */
  revokeUserBefore(userId: string, atMs: number, keepUntil: number): boolean {
    const old = this.watermarks.get(userId);
    if (old !== undefined && old.atMs >= atMs && old.keepUntil >= keepUntil) return false;
    this.watermarks.set(userId, {
      atMs: Math.max(atMs, old?.atMs ?? -Infinity),
      keepUntil: Math.max(keepUntil, old?.keepUntil ?? -Infinity),
    });
    return true;
  }

  isRevoked(session: RevocableSession, nowMs: number): boolean {
    const expiresAt = this.ids.get(session.id);
    if (expiresAt !== undefined) {
      if (!expired(expiresAt, nowMs)) return true;
      this.ids.delete(session.id);
    }
    const mark = this.watermarks.get(session.userId);
    if (mark !== undefined) {
      if (!expired(mark.keepUntil, nowMs)) return session.createdAtMs < mark.atMs;
      this.watermarks.delete(session.userId);
    }
    return false;
  }

  /** Drops every entry past its time; returns how many were dropped. */
  prune(nowMs: number): number {
    let dropped = 0;
    for (const [id, expiresAt] of this.ids) {
      if (expired(expiresAt, nowMs)) (this.ids.delete(id), dropped++);
    }
    for (const [userId, mark] of this.watermarks) {
      if (expired(mark.keepUntil, nowMs)) (this.watermarks.delete(userId), dropped++);
    }
    return dropped;
  }

  get size(): number {
    return this.ids.size + this.watermarks.size;
  }

  clear(): void {
    this.ids.clear();
    this.watermarks.clear();
  }
}

/** Strictly after: a session is still refused at its expiry second, and so is its revocation kept. */
function expired(untilSeconds: number, nowMs: number): boolean {
  return nowMs > untilSeconds * 1000;
}
