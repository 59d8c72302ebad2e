// Single-use tokens for links sent by e-mail (password reset, e-mail verification), in the
// split-token form: `id.secret`, where the id finds the record and only a verifier of the 256-bit
// secret is stored (OWASP Forgot Password Cheat Sheet: single use, expiring, stored securely).
// The verifier is checked in constant time in the native core; the store's delete decides which
// of several concurrent consumers wins.
import type { TokenKeyHandle } from '../../types/binding';
import { StartGuardError, invalidArg, outOfRangeArg, serverOnlyError } from '../errors';
import { native, serverRuntime } from '../native';
import { randomBase64url } from '../random-pool';
import { checkWellFormedSecret } from '../secret-text';
import { MAX_USER_ID_LENGTH, checkData, checkPurpose, checkText } from './args';
import { bindingOf, parseToken } from './format';
import type { TokenRecord, TokenStore } from './types';

/** Why a token was refused, for events and logs (never includes the token). */
export type TokenRejectReason =
  | 'malformed' // not a token at all: wrong type, length or alphabet, or a non-canonical spelling
  | 'unknown' // no such id: never issued, already consumed, revoked, or dropped after expiry
  | 'mismatch' // the id exists but the secret (or the record) does not match
  | 'wrong_purpose' // a genuine token issued for another purpose (not consumed)
  | 'wrong_user' // a genuine token of another user (not consumed)
  | 'expired'
  | 'used'; // a concurrent consumer took it first

export interface SingleUseTokensOptions {
  store: TokenStore;
  /**
   * A server secret (>= 32 bytes; a list for rotation, newest first: the first issues, all
   * verify), kept outside the store. With it, a verifier can only be made by whoever holds the
   * secret, so write access to the store alone mints no token; without it, whoever can write the
   * store can store a verifier of a secret of its choosing. Always derived (BLAKE2b-256 keyed with
   * "start-guard/token-key/v1"), so the sessions' secret may be reused without giving their key.
   */
  secret?: TokenSecret | readonly TokenSecret[];
  /** Default lifetimes by purpose, in seconds; built in: reset 1800 (30 min), verify 86400 (24 h). */
  ttlSeconds?: Readonly<Record<string, number>>;
  /** The clock, epoch milliseconds (tests). */
  nowMs?: () => number;
}

export interface IssueOptions {
  purpose: string;
  /** Required for purposes without a default lifetime; at most 30 days. */
  ttlSeconds?: number;
  /** Bound to the token and returned when it is redeemed (e.g. the address being verified). */
  data?: string;
}

export interface IssuedToken {
  /** `id.secret`, 66 URL-safe characters: put it in the link, never in a log. */
  token: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export interface RedeemOptions {
  purpose: string;
  /** When the caller knows whose token it must be (a signed-in user verifying an address). */
  userId?: string;
  /** Told why a token was refused. Its errors are swallowed. */
  onReject?: (reason: TokenRejectReason) => void;
}

export interface RedeemedToken {
  userId: string;
  purpose: string;
  /** Epoch seconds. */
  expiresAt: number;
  data?: string;
}

export interface SingleUseTokens {
  issue(userId: string, options: IssueOptions): Promise<IssuedToken>;
  /** Whether the token would be accepted now, without consuming it (a page showing its form). */
  check(token: unknown, options: RedeemOptions): Promise<RedeemedToken | null>;
  /** Accepts the token once: exactly one of any number of concurrent calls gets it. */
  consume(token: unknown, options: RedeemOptions): Promise<RedeemedToken | null>;
  /** Voids every outstanding token of the user (of one purpose, when given). */
  revokeAll(userId: string, purpose?: string): Promise<void>;
}

/** A server secret: a string (its UTF-8 bytes) or bytes, at least 32 of them. */
export type TokenSecret = string | Uint8Array;

export const DEFAULT_TTL_SECONDS: Readonly<Record<string, number>> = Object.freeze({
  reset: 30 * 60,
  verify: 24 * 3600,
});
/** A link that lives longer than this is no longer a one-time link. */
export const MAX_TTL_SECONDS = 30 * 86400;
/**
 * The built-in purposes' ceilings: a reset link has no reason to live past a day, a verification
 * link past a week. They also catch milliseconds given for seconds (30 * 60 * 1000 would be a
 * reset link living 20.8 days, under the general 30-day ceiling).
 */
export const PURPOSE_MAX_TTL_SECONDS: Readonly<Record<string, number>> = Object.freeze({
  reset: 86400,
  verify: 7 * 86400,
});

export function createSingleUseTokens(options: SingleUseTokensOptions): SingleUseTokens {
  if (typeof options !== 'object' || options === null) invalidArg('options', 'an object', options);
  const store = checkStore(options.store);
  const ttls: Record<string, number> = { ...DEFAULT_TTL_SECONDS };
  if (options.ttlSeconds !== undefined) {
    if (typeof options.ttlSeconds !== 'object' || options.ttlSeconds === null)
      invalidArg('options.ttlSeconds', 'an object of seconds by purpose', options.ttlSeconds);
    for (const [purpose, ttl] of Object.entries(options.ttlSeconds)) {
      checkPurpose('options.ttlSeconds key', purpose);
      ttls[purpose] = checkTtl(`options.ttlSeconds.${purpose}`, ttl, purpose);
    }
  }
  const nowMs = options.nowMs ?? Date.now;
  if (typeof nowMs !== 'function') invalidArg('options.nowMs', 'a function', nowMs);
  if (!serverRuntime) return inertTokens;
  const secrets = checkSecrets(options.secret);
  const b = native();
  // null: the unkeyed form. Else the first key issues, every key verifies (rotation).
  const keys: Array<TokenKeyHandle | null> = secrets === undefined ? [null] : secrets.map(importKey);
  const issueKey = keys[0]!;

  async function issue(userId: string, opts: IssueOptions): Promise<IssuedToken> {
    checkText('userId', userId, MAX_USER_ID_LENGTH);
    if (typeof opts !== 'object' || opts === null) invalidArg('options', 'an object with purpose', opts);
    const { purpose, data } = opts;
    checkPurpose('options.purpose', purpose);
    checkData('options.data', data);
    let ttl: number;
    if (opts.ttlSeconds !== undefined) ttl = checkTtl('options.ttlSeconds', opts.ttlSeconds, purpose);
    else if (Object.hasOwn(ttls, purpose)) ttl = ttls[purpose]!;
    else
      outOfRangeArg('options.ttlSeconds', `is required for the purpose '${purpose}' (no default lifetime)`);

    const id = randomBase64url(16);
    const unsigned: Omit<TokenRecord, 'verifier'> = {
      id,
      userId,
      purpose,
      expiresAt: Math.floor(nowMs() / 1000) + ttl,
    };
    if (data !== undefined) unsigned.data = data;
    // The secret is drawn, hashed and encoded in the native core: JavaScript sees only its text.
    const [secret, verifier] = b.tokenIssue(bindingOf(unsigned), issueKey);
    const record: TokenRecord = { ...unsigned, verifier };
    const token = `${id}.${secret}`;
    await store.insert(record);
    return { token, expiresAt: record.expiresAt };
  }

  async function redeem(
    token: unknown,
    opts: RedeemOptions,
    consume: boolean,
  ): Promise<RedeemedToken | null> {
    if (typeof opts !== 'object' || opts === null) invalidArg('options', 'an object with purpose', opts);
    const { purpose, userId, onReject } = opts;
    checkPurpose('options.purpose', purpose);
    if (userId !== undefined) checkText('options.userId', userId, MAX_USER_ID_LENGTH);
    if (onReject !== undefined && typeof onReject !== 'function')
      invalidArg('options.onReject', 'a function', onReject);
    const reject = (reason: TokenRejectReason): null => {
      try {
        onReject?.(reason);
      } catch {
        // A logging hook must never turn a refused token into an exception.
      }
      return null;
    };

    const parsed = parseToken(token);
    if (parsed === null) return reject('malformed');
    const record = await store.find(parsed.id);
    if (record === null || !wellFormed(record) || record.id !== parsed.id) return reject('unknown');
    const binding = bindingOf(record);
    if (!keys.some((key) => b.tokenVerifierMatches(parsed.secret, binding, record.verifier, key)))
      return reject('mismatch');
    // Genuine from here on: a refusal below leaves the token to its own purpose and user.
    if (record.purpose !== purpose) return reject('wrong_purpose');
    if (userId !== undefined && record.userId !== userId) return reject('wrong_user');
    if (nowMs() >= record.expiresAt * 1000) {
      if (consume) await store.delete(record.id).catch(() => {}); // tidying only
      return reject('expired');
    }
    if (consume && !(await store.delete(record.id))) return reject('used');
    const out: RedeemedToken = {
      userId: record.userId,
      purpose: record.purpose,
      expiresAt: record.expiresAt,
    };
    if (record.data !== undefined) out.data = record.data;
    return out;
  }

  return {
    issue,
    check: (token, opts) => redeem(token, opts, false),
    consume: (token, opts) => redeem(token, opts, true),
    async revokeAll(userId: string, purpose?: string): Promise<void> {
      checkText('userId', userId, MAX_USER_ID_LENGTH);
      if (purpose !== undefined) checkPurpose('purpose', purpose);
      await store.deleteForUser(userId, purpose);
    },
  };
}

/** A lifetime in seconds, under the purpose's own ceiling when it is a built-in one. */
export function checkTtl(name: string, value: unknown, purpose?: string): number {
  if (typeof value !== 'number') invalidArg(name, 'a number of seconds', value);
  const max =
    purpose !== undefined && Object.hasOwn(PURPOSE_MAX_TTL_SECONDS, purpose)
      ? PURPOSE_MAX_TTL_SECONDS[purpose]!
      : MAX_TTL_SECONDS;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    const days = (n: number) => `${+(n / 86400).toFixed(1)} day${n === 86400 ? '' : 's'}`;
    const what = max === MAX_TTL_SECONDS ? '' : ` for a '${purpose}' link`;
    const unit =
      Number.isFinite(value) && value > max ? ` (that is ${days(value)}: seconds, not milliseconds)` : '';
    outOfRangeArg(
      name,
      `must be a whole number of seconds from 1 to ${max} (${days(max)})${what}; received ${value}${unit}`,
    );
  }
  return value;
}

function checkSecrets(value: unknown): TokenSecret[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  if (list.length === 0) outOfRangeArg('options.secret', 'must hold at least one secret');
  return list.map((secret, i) => {
    const name = Array.isArray(value) ? `options.secret[${i}]` : 'options.secret';
    if (typeof secret !== 'string' && !(secret instanceof Uint8Array))
      return invalidArg(name, 'a string or a Uint8Array of at least 32 bytes', secret);
    if (typeof secret === 'string') checkWellFormedSecret(name, secret);
    const bytes = typeof secret === 'string' ? Buffer.byteLength(secret, 'utf8') : secret.length;
    if (bytes < 32) throw new StartGuardError('ERR_SECRET_TOO_SHORT', `${name} must be at least 32 bytes`);
    return secret;
  });
}

/** The derived key, held in C++; a copy of the secret's bytes made here is wiped. */
function importKey(secret: TokenSecret): TokenKeyHandle {
  if (secret instanceof Uint8Array) return native().tokenKey(secret);
  const bytes = Buffer.from(secret, 'utf8');
  try {
    return native().tokenKey(bytes);
  } finally {
    bytes.fill(0);
  }
}

function checkStore(store: unknown): TokenStore {
  const s = store as Partial<TokenStore> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.insert !== 'function' ||
    typeof s.find !== 'function' ||
    typeof s.delete !== 'function' ||
    typeof s.deleteForUser !== 'function'
  ) {
    invalidArg('options.store', 'a token store (insert, find, delete, deleteForUser)', store);
  }
  return s as TokenStore;
}

/**
 * An application's store may hand back anything: only a record of the right shape is checked.
 * Its strings must be well-formed: the binding is framed on UTF-16 lengths but hashed as UTF-8,
 * where a lone surrogate becomes U+FFFD, so "\uD800x" would verify as "\uFFFDx" (issue refuses
 * lone surrogates; a record edited in the store must not bring one back).
 */
function wellFormed(r: TokenRecord): boolean {
  return (
    typeof r === 'object' &&
    typeof r.id === 'string' &&
    typeof r.userId === 'string' &&
    isWellFormed(r.userId) &&
    typeof r.purpose === 'string' &&
    isWellFormed(r.purpose) &&
    typeof r.verifier === 'string' &&
    Number.isFinite(r.expiresAt) &&
    (r.data === undefined || (typeof r.data === 'string' && isWellFormed(r.data)))
  );
}

const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

const serverOnly = async (): Promise<never> => {
  throw serverOnlyError();
};
const inertTokens: SingleUseTokens = {
  issue: serverOnly,
  check: serverOnly,
  consume: serverOnly,
  revokeAll: serverOnly,
};
