// The file store's records, one per line in the log format of lib/file-log/lines.ts:
//   ["r", sessionId, expiresAt]            a revoked id, kept until expiresAt (epoch s)
//   ["u", userId, atMs, keepUntil]         a user's watermark (epoch ms), kept until keepUntil (s)
import { encodeLine } from '../file-log/lines';
import type { RevocationTable } from './table';

export type RevocationRecord =
  | { kind: 'r'; sessionId: string; expiresAt: number }
  | { kind: 'u'; userId: string; atMs: number; keepUntil: number };

export function encodeRecord(record: RevocationRecord): string {
  return encodeLine(
    record.kind === 'r'
      ? ['r', record.sessionId, record.expiresAt]
      : ['u', record.userId, record.atMs, record.keepUntil],
  );
}

/** Every live entry of the table as records: what compaction writes. */
export function encodeTable(table: RevocationTable): string {
  const lines: string[] = [];
  for (const [sessionId, expiresAt] of table.ids)
    lines.push(encodeRecord({ kind: 'r', sessionId, expiresAt }));
  for (const [userId, m] of table.watermarks) {
    lines.push(encodeRecord({ kind: 'u', userId, atMs: m.atMs, keepUntil: m.keepUntil }));
  }
  return lines.join('');
}

export function applyRecord(table: RevocationTable, record: RevocationRecord): void {
  if (record.kind === 'r') table.revoke(record.sessionId, record.expiresAt);
  else table.revokeUserBefore(record.userId, record.atMs, record.keepUntil);
}

/** A line's parsed JSON as a record, or null when its shape is wrong. */
export function decodeRecord(value: unknown): RevocationRecord | null {
  if (!Array.isArray(value)) return null;
  const [kind, id, a, b] = value as unknown[];
  if (typeof id !== 'string' || id.length === 0 || !isTime(a)) return null;
  if (kind === 'r' && value.length === 3) return { kind, sessionId: id, expiresAt: a };
  if (kind === 'u' && value.length === 4 && isTime(b)) return { kind, userId: id, atMs: a, keepUntil: b };
  return null;
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
