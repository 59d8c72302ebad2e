// Single-use tokens for links sent by e-mail (password reset, e-mail verification), in the
// split-token form: `id.secret`, where the id finds the record and only a verifier of the 256-bit
// secret is stored (OWASP Forgot Password Cheat Sheet: single use, expiring, stored securely).
// The verifier is checked in constant time in the native core; the store's delete decides which
// of several concurrent consumers wins.
import { invalidArg, outOfRangeArg, serverOnlyError } from '../errors';
import { native, serverRuntime } from '../native';
import { randomBase64url } from '../random-pool';
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

export const DEFAULT_TTL_SECONDS: Readonly<Record<string, number>> = Object.freeze({
  reset: 30 * 60,
  verify: 24 * 3600,
});
/** A link that lives longer than this is no longer a one-time link. */
export const MAX_TTL_SECONDS = 30 * 86400;

export function createSingleUseTokens(options: SingleUseTokensOptions): SingleUseTokens {
  if (typeof options !== 'object' || options === null) invalidArg('options', 'an object', options);
  const store = checkStore(options.store);
  const ttls: Record<string, number> = { ...DEFAULT_TTL_SECONDS };
  if (options.ttlSeconds !== undefined) {
    if (typeof options.ttlSeconds !== 'object' || options.ttlSeconds === null)
      invalidArg('options.ttlSeconds', 'an object of seconds by purpose', options.ttlSeconds);
    for (const [purpose, ttl] of Object.entries(options.ttlSeconds)) {
      checkPurpose('options.ttlSeconds key', purpose);
      ttls[purpose] = checkTtl(`options.ttlSeconds.${purpose}`, ttl);
    }
  }
  const nowMs = options.nowMs ?? Date.now;
  if (typeof nowMs !== 'function') invalidArg('options.nowMs', 'a function', nowMs);
  if (!serverRuntime) return inertTokens;
  const b = native();

  async function issue(userId: string, opts: IssueOptions): Promise<IssuedToken> {
    checkText('userId', userId, MAX_USER_ID_LENGTH);
    if (typeof opts !== 'object' || opts === null) invalidArg('options', 'an object with purpose', opts);
    const { purpose, data } = opts;
    checkPurpose('options.purpose', purpose);
    checkData('options.data', data);
    let ttl: number;
    if (opts.ttlSeconds !== undefined) ttl = checkTtl('options.ttlSeconds', opts.ttlSeconds);
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
    const [secret, verifier] = b.tokenIssue(bindingOf(unsigned));
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
    if (!b.tokenVerifierMatches(parsed.secret, bindingOf(record), record.verifier)) return reject('mismatch');
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

export function checkTtl(name: string, value: unknown): number {
  if (typeof value !== 'number') invalidArg(name, 'a number of seconds', value);
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_TTL_SECONDS) {
    outOfRangeArg(
      name,
      `must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS} (30 days); received ${value}`,
    );
  }
  return value;
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

/** An application's store may hand back anything: only a record of the right shape is checked. */
function wellFormed(r: TokenRecord): boolean {
  return (
    typeof r === 'object' &&
    typeof r.id === 'string' &&
    typeof r.userId === 'string' &&
    typeof r.purpose === 'string' &&
    typeof r.verifier === 'string' &&
    Number.isFinite(r.expiresAt) &&
    (r.data === undefined || typeof r.data === 'string')
  );
}

const serverOnly = async (): Promise<never> => {
  throw serverOnlyError();
};
const inertTokens: SingleUseTokens = {
  issue: serverOnly,
  check: serverOnly,
  consume: serverOnly,
  revokeAll: serverOnly,
};
