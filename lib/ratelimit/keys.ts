// Bucket keys shared by the sign-in and e-mail form limits: on the identifier as typed
// (normalized), never on whether an account has it, and on the client's limitKey.
import { invalidArg } from '../errors';
import { normalizeIdentifier } from './identifier';

// Identifiers that normalize to nothing (empty, too long, not a string) share one bucket: they
// are limited, never a way around the limit.
const INVALID_IDENTIFIER = '\u0000invalid';

/**
 * The identifier's bucket key: normalized and lower-cased whatever it is, so the bucket is never
 * finer than an app's lookup (a case-insensitive lookup must not give each casing its own bucket).
 */
export function identifierKey(identifier: unknown): string {
  return normalizeIdentifier(identifier)?.toLowerCase() ?? INVALID_IDENTIFIER;
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
