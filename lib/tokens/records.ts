// The file token store's records, one per line in the log format of lib/file-log/lines.ts:
//   ["i", id, userId, purpose, verifier, expiresAt(, data)]   a token issued
//   ["d", id]                                                 a token consumed or removed
//   ["x", userId(, purpose)]                                  every token of a user removed
import { encodeLine } from '../file-log/lines';
import type { TokenTable } from './table';
import type { TokenRecord } from './types';

export type TokenLogRecord =
  | { kind: 'i'; record: TokenRecord }
  | { kind: 'd'; id: string }
  | { kind: 'x'; userId: string; purpose: string | undefined };

export function encodeInsert(r: TokenRecord): string {
  const fields: unknown[] = ['i', r.id, r.userId, r.purpose, r.verifier, r.expiresAt];
  if (r.data !== undefined) fields.push(r.data);
  return encodeLine(fields);
}

export const encodeDelete = (id: string): string => encodeLine(['d', id]);

export function encodeDeleteForUser(userId: string, purpose: string | undefined): string {
  return encodeLine(purpose === undefined ? ['x', userId] : ['x', userId, purpose]);
}

/** Every record of the table: what compaction writes. */
export function encodeTable(table: TokenTable): string {
  let text = '';
  for (const r of table.records.values()) text += encodeInsert(r);
  return text;
}

export function applyRecord(table: TokenTable, entry: TokenLogRecord): void {
  if (entry.kind === 'i') table.records.set(entry.record.id, entry.record);
  else if (entry.kind === 'd') table.delete(entry.id);
  else table.deleteForUser(entry.userId, entry.purpose);
}

/** A line's parsed JSON as a record, or null when its shape is wrong. */
export function decodeRecord(value: unknown): TokenLogRecord | null {
  if (!Array.isArray(value)) return null;
  const v = value as unknown[];
  const str = (i: number) => typeof v[i] === 'string' && (v[i] as string).length > 0;
  if (
    v[0] === 'i' &&
    (v.length === 6 || (v.length === 7 && str(6))) &&
    str(1) &&
    str(2) &&
    str(3) &&
    str(4)
  ) {
    if (typeof v[5] !== 'number' || !Number.isFinite(v[5])) return null;
    const record: TokenRecord = {
      id: v[1] as string,
      userId: v[2] as string,
      purpose: v[3] as string,
      verifier: v[4] as string,
      expiresAt: v[5],
    };
    if (v.length === 7) record.data = v[6] as string;
    return { kind: 'i', record };
  }
  if (v[0] === 'd' && v.length === 2 && str(1)) return { kind: 'd', id: v[1] as string };
  if (v[0] === 'x' && str(1) && (v.length === 2 || (v.length === 3 && str(2)))) {
    return { kind: 'x', userId: v[1] as string, purpose: v[2] as string | undefined };
  }
  return null;
}
