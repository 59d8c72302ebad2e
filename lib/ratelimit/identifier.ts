// The one normalization of what a user types as their account name (e-mail or username), shared
// by the sign-in limits and the sign-in flow: the same person typing " Ada@Example.COM" and
// "ada@example.com" is one account, and one bucket.

// Longer input is refused, not cut: no e-mail address is longer (RFC 5321 caps a path at 256
// octets), and NFKC of a huge string is work an attacker would choose.
export const MAX_IDENTIFIER_LENGTH = 320;

// Invisible characters (zero-width space and joiners, soft hyphen, word joiner, the combining
// grapheme joiner, variation selectors, tags, ...): an identifier that differs from another only
// by them looks the same to a person, and to a collation.
const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * Drops default-ignorable code points (invisible: zero-width space, soft hyphen, joiners, the
 * combining grapheme joiner, ...), applies NFKC (compatibility forms: full-width letters,
 * ligatures), trims Unicode white space, and lower-cases identifiers that contain `@` (e-mail
 * addresses; their local part is case-sensitive in theory and never in practice). Usernames keep
 * their case. Returns `null` for anything that is not a string, is empty once normalized, or is
 * longer than 320 characters.
 */
export function normalizeIdentifier(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > MAX_IDENTIFIER_LENGTH * 4) return null;
  // Dropped before NFKC (a combining grapheme joiner blocks composition) and after it (NFKC
  // maps the half-width Hangul filler to the Hangul filler: both ignorable).
  const normalized = value
    .replace(DEFAULT_IGNORABLE, '')
    .normalize('NFKC')
    .replace(DEFAULT_IGNORABLE, '')
    .trim();
  if (normalized.length === 0 || normalized.length > MAX_IDENTIFIER_LENGTH) return null;
  return normalized.includes('@') ? normalized.toLowerCase() : normalized;
}
