// The records an embedded token store keeps in memory: the memory store is this table; the file
// store is this table plus its log.
import { outOfRangeArg } from '../errors';
import type { TokenRecord } from './types';

export class TokenTable {
  readonly records = new Map<string, TokenRecord>();

  /** Ids are 128 random bits: a second record under one id is a bug, never an overwrite. */
  insert(record: TokenRecord): void {
    if (this.records.has(record.id)) outOfRangeArg('record.id', 'is already in the store');
    this.records.set(record.id, record);
  }

  get(id: string): TokenRecord | undefined {
    return this.records.get(id);
  }

  delete(id: string): boolean {
    return this.records.delete(id);
  }

  deleteForUser(userId: string, purpose: string | undefined): number {
    let n = 0;
    for (const [id, r] of this.records) {
      if (r.userId === userId && (purpose === undefined || r.purpose === purpose)) {
        this.records.delete(id);
        n++;
      }
    }
    return n;
  }

  /** Drops the records whose expiry has come (they are refused from that second on). */
  prune(nowMs: number): number {
    let n = 0;
    for (const [id, r] of this.records) {
      if (r.expiresAt * 1000 <= nowMs) (this.records.delete(id), n++);
    }
    return n;
  }

  get size(): number {
    return this.records.size;
  }

  clear(): void {
    this.records.clear();
  }
}
