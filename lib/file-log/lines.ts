// The line format of start-guard's append-only logs (the file revocation and token stores): one
// record per line, `<crc32 as 8 hex digits> <JSON>\n`. A line without its newline is a record
// still being written (or torn by a crash); a line whose checksum or JSON is wrong is garbage.
// Neither is ever fatal: both are skipped.

const NEWLINE = 0x0a;
const SPACE = 0x20;
const CRC_HEX = 8;

/** One line: the JSON of `value` behind its checksum, ended by a newline. */
export function encodeLine(value: unknown): string {
  const json = JSON.stringify(value);
  return `${crc32Hex(Buffer.from(json, 'utf8'))} ${json}\n`;
}

export interface DecodedLines<R> {
  records: R[];
  /** Bytes up to and including the last newline: what a reader has fully consumed. */
  consumed: number;
  /** Complete lines that were not valid records. */
  invalid: number;
}

/**
 * Decodes the complete lines of `bytes` (a trailing partial line is left unconsumed); `decode`
 * turns a line's parsed JSON into a record, or null when its shape is wrong.
 */
export function decodeLines<R>(bytes: Uint8Array, decode: (value: unknown) => R | null): DecodedLines<R> {
  const records: R[] = [];
  let invalid = 0;
  let start = 0;
  for (let nl = bytes.indexOf(NEWLINE); nl !== -1; nl = bytes.indexOf(NEWLINE, start)) {
    if (nl > start) {
      const record = decodeLine(bytes.subarray(start, nl), decode);
      if (record === null) invalid++;
      else records.push(record);
    }
    start = nl + 1;
  }
  return { records, consumed: start, invalid };
}

function decodeLine<R>(line: Uint8Array, decode: (value: unknown) => R | null): R | null {
  if (line.length < CRC_HEX + 2 || line[CRC_HEX] !== SPACE) return null;
  const json = line.subarray(CRC_HEX + 1);
  if (Buffer.from(line.subarray(0, CRC_HEX)).toString('latin1') !== crc32Hex(json)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(json).toString('utf8'));
  } catch {
    return null;
  }
  return decode(value);
}

// CRC-32 (IEEE): a checksum against torn and corrupted lines, not a defense against tampering
// (whoever can write the file can change the store anyway).
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
