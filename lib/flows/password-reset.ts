// Password reset (OWASP Forgot Password Cheat Sheet): the request is answered at once, the same
// way for every address, and the lookup, the token and the e-mail happen after the answer on a
// bounded queue, so neither the answer nor its timing says whether an account exists. Completing
// consumes the token, sets the new password through the hasher, ends every session of the user
// (the revocation store's watermark) and signs no one in.
import { invalidArg, outOfRangeArg, serverOnlyError } from '../errors';
import { serverRuntime } from '../native';
import { defaultHasher } from '../passwords/defaults';
import { normalizeIdentifier } from '../ratelimit/identifier';
import { clientKey } from '../ratelimit/keys';
import type { RequestClient } from '../ratelimit/request-limits';
import type { RevocationStore } from '../revocation/types';
import type { TokenRejectReason } from '../tokens/tokens';
import {
  type FlowOptions,
  type RequestAnswer,
  answer,
  checkFlowOptions,
  flowEvent,
  sendLink,
} from './common';

export interface ResetUser {
  id: string;
  /** Where the link goes: the address on record, not the string typed into the form. */
  email: string;
}

/** What completeReset needs of a password hasher (createPasswordHasher() has it). */
export interface PasswordHashing {
  hash(password: string): Promise<string>;
}

export interface PasswordResetOptions extends FlowOptions {
  /** The account for an identifier (normalized: trimmed, NFKC, e-mail addresses lower-cased). */
  findUser(identifier: string): Promise<ResetUser | null>;
  /** Default: the default hasher (hashPassword's policy). Pass yours when you configured one. */
  hasher?: PasswordHashing;
  /** Stores the new hash. Called after the token is consumed and the sessions revoked. */
  savePassword(userId: string, passwordHash: string): Promise<void>;
  /** The sessions' revocation store: a reset ends every session of the user. */
  revocation: RevocationStore;
  /**
   * The longest a session of yours can live (your absoluteTimeoutSeconds): how long the user's
   * watermark is kept. Default 400 days, the longest any session can last.
   */
  sessionMaxAgeSeconds?: number;
}

export interface PasswordReset {
  /** The same answer for every address; the e-mail (if any) is sent after it. */
  requestReset(identifier: unknown, options: { client: RequestClient }): Promise<RequestAnswer>;
  /** Whether the link still works (for the page that shows the new-password form). */
  checkReset(token: unknown): Promise<boolean>;
  /**
   * Sets the new password and ends every session of the user; `null` when the token is not
   * (or no longer) valid. Password policy errors (ERR_PASSWORD_TOO_SHORT…) are thrown before the
   * token is consumed, so the user can try another password with the same link.
   */
  completeReset(
    token: unknown,
    newPassword: string,
    options?: { client?: RequestClient },
  ): Promise<{ userId: string } | null>;
  /** Resolves when the queue is empty (tests, graceful shutdown). */
  idle(): Promise<void>;
}

const MAX_SESSION_AGE_SECONDS = 400 * 86400;

export function createPasswordReset(options: PasswordResetOptions): PasswordReset {
  const flow = checkFlowOptions('reset', options);
  const { findUser, savePassword, revocation } = options;
  if (typeof findUser !== 'function') invalidArg('options.findUser', 'a function', findUser);
  const given = options.hasher;
  if (
    given !== undefined &&
    (typeof given !== 'object' || given === null || typeof given.hash !== 'function')
  ) {
    invalidArg('options.hasher', 'a password hasher (createPasswordHasher())', given);
  }
  // The default hasher is made on first use (a reset that completes), not here.
  const hasher: PasswordHashing = given ?? { hash: (password) => defaultHasher().hash(password) };
  if (typeof savePassword !== 'function') invalidArg('options.savePassword', 'a function', savePassword);
  if (
    typeof revocation !== 'object' ||
    revocation === null ||
    typeof revocation.revokeUserBefore !== 'function'
  ) {
    invalidArg('options.revocation', "a revocation store (your session manager's)", revocation);
  }
  const maxAge = options.sessionMaxAgeSeconds ?? MAX_SESSION_AGE_SECONDS;
  if (!Number.isSafeInteger(maxAge) || maxAge < 1 || maxAge > MAX_SESSION_AGE_SECONDS) {
    outOfRangeArg(
      'options.sessionMaxAgeSeconds',
      `must be whole seconds from 1 to ${MAX_SESSION_AGE_SECONDS}`,
    );
  }
  if (!serverRuntime) return inertReset;

  /** After the answer: look the account up, and only if there is one, issue and send. */
  async function work(identifier: string, ip: string | undefined): Promise<void> {
    let user: ResetUser | null;
    try {
      user = await findUser(identifier);
    } catch {
      return flowEvent(flow, 'failed', { reason: 'lookup' }, ip);
    }
    if (user === null || user === undefined)
      return flowEvent(flow, 'requested', { reason: 'unknown_account' }, ip);
    if (typeof user.id !== 'string' || typeof user.email !== 'string' || user.email.length === 0) {
      return flowEvent(flow, 'failed', { reason: 'lookup' }, ip);
    }
    flowEvent(flow, 'requested', { userId: user.id }, ip);
    let issued;
    try {
      issued = await flow.tokens.issue(user.id, { purpose: 'reset', ttlSeconds: flow.ttlSeconds });
    } catch {
      return flowEvent(flow, 'failed', { userId: user.id, reason: 'store' }, ip);
    }
    const sent = await sendLink(flow, user.email, user.id, issued);
    flowEvent(
      flow,
      sent ? 'sent' : 'failed',
      sent ? { userId: user.id } : { userId: user.id, reason: 'send' },
      ip,
    );
  }

  async function requestReset(identifier: unknown, opts: { client: RequestClient }): Promise<RequestAnswer> {
    // An identifier that is no address at all gets the same answer, and no work.
    return answer(flow, identifier, opts, async (ip) => {
      const normalized = normalizeIdentifier(identifier);
      if (normalized !== null) await work(normalized, ip);
    });
  }

  /** Ends every session of the user created before now (kept as long as any can live). */
  const endSessions = (userId: string): Promise<void> => {
    const now = Date.now();
    return revocation.revokeUserBefore(userId, now, Math.floor(now / 1000) + maxAge);
  };

  async function completeReset(
    token: unknown,
    newPassword: string,
    opts: { client?: RequestClient } = {},
  ): Promise<{ userId: string } | null> {
    if (typeof newPassword !== 'string') invalidArg('newPassword', 'a string', newPassword);
    if (typeof opts !== 'object' || opts === null) invalidArg('options', 'an object', opts);
    const ip = opts.client === undefined ? undefined : clientKey(opts.client).ip;
    let reason: TokenRejectReason = 'unknown';
    const redeem = { purpose: 'reset', onReject: (r: TokenRejectReason) => void (reason = r) };
    const rejected = () => (flowEvent(flow, 'rejected', { reason }, ip), null);

    // Checked first: a bad link costs no hash, and a refused password leaves the link usable.
    if ((await flow.tokens.check(token, redeem)) === null) return rejected();
    const passwordHash = await hasher.hash(newPassword);
    const redeemed = await flow.tokens.consume(token, redeem);
    if (redeemed === null) return rejected();
    const { userId } = redeemed;
    // Sessions end before the new hash is saved (a failed save leaves the user signed out, never
    // signed in with a changed password), and again after: a sign-in with the old password
    // between the two would otherwise survive the reset.
    await endSessions(userId);
    await savePassword(userId, passwordHash);
    await endSessions(userId);
    await flow.tokens.revokeAll(userId, 'reset');
    flowEvent(flow, 'completed', { userId }, ip);
    return { userId };
  }

  return {
    requestReset,
    async checkReset(token: unknown): Promise<boolean> {
      return (await flow.tokens.check(token, { purpose: 'reset' })) !== null;
    },
    completeReset,
    idle: () => flow.queue.idle(),
  };
}

const serverOnly = async (): Promise<never> => {
  throw serverOnlyError();
};
const inertReset: PasswordReset = {
  requestReset: serverOnly,
  checkReset: serverOnly,
  completeReset: serverOnly,
  idle: async () => {},
};
