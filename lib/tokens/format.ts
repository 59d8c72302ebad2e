// The token string and the verifier's binding. A token is `id.secret`: the id (16 random bytes)
// finds the record, the secret (32 bytes from the OS CSPRNG) proves possession; both unpadded
// base64url, 66 characters in all. Only the verifier of the secret is stored.
import { ID_CHARS } from './args';
import type { TokenRecord } from './types';

const SECRET_CHARS = 43;
export const TOKEN_CHARS = ID_CHARS + 1 + SECRET_CHARS;
const SHAPE = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;

// Versioned, so a later format can never accept a verifier made under this one.
const CONTEXT = 'start-guard/token/v1';

/**
 * What the verifier covers besides the secret: the record's id, user, purpose, expiry and data,
 * each length-prefixed so no two records frame the same string. A record edited in the store
 * (another user, a later expiry) no longer matches its verifier.
 */
export function bindingOf(r: Omit<TokenRecord, 'verifier'>): string {
  const field = (s: string) => `${s.length}:${s}`;
  const data = r.data === undefined ? '-' : field(r.data);
  return [CONTEXT, field(r.id), field(r.userId), field(r.purpose), String(r.expiresAt), data].join('\n');
}

export interface ParsedToken {
  id: string;
  /** The secret as presented, base64url: decoded only in the native core. */
  secret: string;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Strict parse: exactly 66 characters of base64url around the dot, each half canonical (the
 * padding bits of its last character zero: a token has one spelling only). Anything else, of
 * any type, is null: tokens are attacker input.
 */
export function parseToken(token: unknown): ParsedToken | null {
  if (typeof token !== 'string' || token.length !== TOKEN_CHARS || !SHAPE.test(token)) return null;
  // 16 bytes leave 4 unused bits in the id's last character, 32 bytes 2 in the secret's.
  if ((ALPHABET.indexOf(token[ID_CHARS - 1]!) & 0x0f) !== 0) return null;
  if ((ALPHABET.indexOf(token[TOKEN_CHARS - 1]!) & 0x03) !== 0) return null;
  return { id: token.slice(0, ID_CHARS), secret: token.slice(ID_CHARS + 1) };
}
