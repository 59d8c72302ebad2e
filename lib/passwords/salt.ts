// start-guard's salts say how the password was prepared before hashing: the last 4 bytes of a
// salt are a check value over the random bytes before them and the normalization form used.
// So verify knows, from the stored string alone, whether a hash is start-guard's own (hash the
// password exactly as it was prepared then: one hash) or was made elsewhere (bcrypt, an imported
// Argon2 string: try the raw input as well). A salt made elsewhere is random, so it passes the
// check by chance once in 2^32 per form. The check is not a secret and not a MAC: anyone who can
// write the stored hash could forge it, and gains nothing by it.
import { native } from '../native';

/** How a password is prepared before hashing: a Unicode normalization form, or none. */
export type NormalizationForm = 'NFKC' | 'NFC' | 'NFKD' | 'NFD' | 'none';

const FORMS: readonly NormalizationForm[] = ['NFKC', 'NFC', 'NFKD', 'NFD', 'none'];
const CHECK_BYTES = 4;
/** The smallest salt that keeps 96 random bits beside the check value. */
export const MIN_MARKED_SALT = 16;

/** A 32-bit FNV-1a over the bytes, seeded per form, with a final avalanche (murmur3's fmix32). */
function check(random: Uint8Array, form: number): number {
  let h = (0x811c9dc5 ^ Math.imul(form + 1, 0x9e3779b1)) >>> 0;
  for (const b of 'start-guard/salt/v1') h = Math.imul(h ^ b.charCodeAt(0), 0x01000193);
  for (let i = 0; i < random.length; i++) h = Math.imul(h ^ random[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A fresh salt of `length` (>= 16) bytes: random, then the check value for `form`. */
export function markedSalt(length: number, form: NormalizationForm): Uint8Array {
  const salt = native().randomBytes(length);
  const c = check(salt.subarray(0, length - CHECK_BYTES), FORMS.indexOf(form));
  new DataView(salt.buffer, salt.byteOffset + length - CHECK_BYTES, CHECK_BYTES).setUint32(0, c);
  return salt;
}

/**
 * The form a start-guard salt was made for, or null for a salt made elsewhere. `salt` is the
 * salt field of a PHC string (unpadded standard base64, already checked by the strict parser).
 */
export function saltForm(salt: string): NormalizationForm | null {
  const bytes = Buffer.from(salt, 'base64');
  if (bytes.length < MIN_MARKED_SALT) return null;
  const random = bytes.subarray(0, bytes.length - CHECK_BYTES);
  const stored = bytes.readUInt32BE(bytes.length - CHECK_BYTES);
  for (let f = 0; f < FORMS.length; f++) if (check(random, f) === stored) return FORMS[f]!;
  return null;
}

export const NORMALIZATION_FORMS = FORMS;
