// Bucket keys shared by the sign-in and e-mail form limits: on the identifier as typed
// (normalized), never on whether an account has it, and on the client's limitKey.
import { invalidArg } from '../errors';
import { collationKey } from './collation-fold';
import { normalizeIdentifier } from './identifier';

// Identifiers that normalize to nothing (empty, too long, not a string) share one bucket: they
// are limited, never a way around the limit. No key of a real identifier holds a control
// character.
const INVALID_IDENTIFIER = '\u0000invalid';

/**
 * The identifier's bucket key: normalized, then folded as a collation would (case, accents,
 * invisible characters, other scripts' digits, letters with a stroke), so the bucket is never
 * finer than an app's lookup: a case- or accent-insensitive lookup must not give each variant
 * its own bucket.
 */
export function identifierKey(identifier: unknown): string {
  const normalized = normalizeIdentifier(identifier);
  return normalized === null ? INVALID_IDENTIFIER : collationKey(normalized);
}

/** The client as `clientAddress` returns it, or its `limitKey`: its bucket key and its IP. */
export function clientKey(client: unknown): { key: string; ip: string | undefined } {
  if (typeof client === 'string') return { key: client, ip: undefined };
  if (
    typeof client === 'object' &&
    client !== null &&
    typeof (client as { limitKey?: unknown }).limitKey === 'string'
  ) {
    const c = client as { ip?: unknown; limitKey: string };
    return { key: c.limitKey, ip: typeof c.ip === 'string' ? c.ip : undefined };
  }
  return invalidArg('client', 'a string or a clientAddress() result', client);
}
