// The file store's log format: one record per line, `<crc32 as 8 hex digits> <JSON>\n`.
//   ["r", sessionId, expiresAt]            a revoked id, kept until expiresAt (epoch s)
//   ["u", userId, atMs, keepUntil]         a user's watermark (epoch ms), kept until keepUntil (s)
// A line without its newline is a record still being written (or torn by a crash); a line whose
// checksum or shape is wrong is garbage. Neither is ever fatal: both are skipped.
import type { RevocationTable } from './table';

export type RevocationRecord =
  | { kind: 'r'; sessionId: string; expiresAt: number }
  | { kind: 'u'; userId: string; atMs: number; keepUntil: number };

const NEWLINE = 0x0a;
const SPACE = 0x20;
const CRC_HEX = 8;

export function encodeRecord(record: RevocationRecord): string {
  const json = JSON.stringify(
    record.kind === 'r'
      ? ['r', record.sessionId, record.expiresAt]
      : ['u', record.userId, record.atMs, record.keepUntil],
  );
  return `${crc32Hex(Buffer.from(json, 'utf8'))} ${json}\n`;
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

export interface DecodedChunk {
  records: RevocationRecord[];
  /** Bytes up to and including the last newline: what a reader has fully consumed. */
  consumed: number;
  /** Complete lines that were not valid records. */
  invalid: number;
}

/** Decodes the complete lines of `bytes`; a trailing partial line is left unconsumed. */
export function decodeChunk(bytes: Uint8Array): DecodedChunk {
  const records: RevocationRecord[] = [];
  let invalid = 0;
  let start = 0;
  for (let nl = bytes.indexOf(NEWLINE); nl !== -1; nl = bytes.indexOf(NEWLINE, start)) {
    if (nl > start) {
      const record = decodeLine(bytes.subarray(start, nl));
      if (record === null) invalid++;
      else records.push(record);
    }
    start = nl + 1;
  }
  return { records, consumed: start, invalid };
}

export function applyRecord(table: RevocationTable, record: RevocationRecord): void {
  if (record.kind === 'r') table.revoke(record.sessionId, record.expiresAt);
  else table.revokeUserBefore(record.userId, record.atMs, record.keepUntil);
}

function decodeLine(line: Uint8Array): RevocationRecord | null {
  if (line.length < CRC_HEX + 2 || line[CRC_HEX] !== SPACE) return null;
  const json = line.subarray(CRC_HEX + 1);
  if (Buffer.from(line.subarray(0, CRC_HEX)).toString('latin1') !== crc32Hex(json)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(json).toString('utf8'));
  } catch {
    return null;
  }
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

// CRC-32 (IEEE): a checksum against torn and corrupted lines, not a defense against tampering
// (whoever can write the file can revoke or unrevoke sessions anyway).
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32Hex(bytes: Uint8Array): string {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ((c ^ 0xffffffff) >>> 0).toString(16).padStart(CRC_HEX, '0');
}
