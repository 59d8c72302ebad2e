// The token string and the verifier's binding. A token is `id.secret`: the id (16 random bytes)
// finds the record, the secret (32 bytes from the OS CSPRNG) proves possession; both unpadded
// base64url, 66 characters in all. Only the verifier of the secret is stored.
import { ID_CHARS, VERIFIER_CHARS } from './args';
import type { TokenRecord } from './types';

export const SECRET_BYTES = 32;
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
  /** The decoded secret: the caller wipes it after use. */
  secret: Buffer;
}

/**
 * Strict parse: exactly 66 characters, canonical base64url on both sides (a token has one
 * spelling only). Anything else, of any type, is null: tokens are attacker input.
 */
export function parseToken(token: unknown): ParsedToken | null {
  if (typeof token !== 'string' || token.length !== TOKEN_CHARS || !SHAPE.test(token)) return null;
  const id = token.slice(0, ID_CHARS);
  const encoded = token.slice(ID_CHARS + 1);
  if (Buffer.from(id, 'base64url').toString('base64url') !== id) return null;
  const secret = Buffer.from(encoded, 'base64url');
  if (secret.length !== SECRET_BYTES || secret.toString('base64url') !== encoded) {
    secret.fill(0);
    return null;
  }
  return { id, secret };
}

export function formatToken(id: string, secret: Uint8Array): string {
  return `${id}.${Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength).toString('base64url')}`;
}

/** A stored verifier as bytes, or null when it is not one (a damaged store: a mismatch). */
export function verifierBytes(verifier: string): Buffer | null {
  if (verifier.length !== VERIFIER_CHARS) return null;
  const bytes = Buffer.from(verifier, 'base64url');
  return bytes.length === 32 ? bytes : null;
}
