// E-mail verification: a link that proves the user reads the address. The token is bound to the
// user and to the address it was sent to (returned on completion, so an address changed since
// is never marked verified by an old link), and a new request voids the user's earlier links.
// Sent after the answer, on a bounded queue, with limits per client and per address.
import { invalidArg, serverOnlyError } from '../errors';
import { serverRuntime } from '../native';
import { clientKey } from '../ratelimit/keys';
import type { RequestClient } from '../ratelimit/request-limits';
import { MAX_DATA_LENGTH, MAX_USER_ID_LENGTH, checkText } from '../tokens/args';
import type { TokenRejectReason } from '../tokens/tokens';
import {
  type FlowOptions,
  type RequestAnswer,
  accountAllows,
  answer,
  checkFlowOptions,
  flowEvent,
  sendLink,
} from './common';

export type EmailVerificationOptions = FlowOptions;

export interface VerifiedEmail {
  userId: string;
  /** The address the link was sent to: mark it verified only if it is still the user's. */
  email: string;
}

export interface EmailVerification {
  /** Queues the link to `user.email`; answers at once (registration answers the same either way). */
  requestVerification(
    user: { id: string; email: string },
    options: { client: RequestClient },
  ): Promise<RequestAnswer>;
  /**
   * Whether the link would be accepted, without using it up (a page showing a form before the
   * link is followed, e.g. choosing a password on sign-up): the user and address, or null.
   */
  checkVerification(token: unknown, options?: { userId?: string }): Promise<VerifiedEmail | null>;
  /** Consumes the link; `userId` (a signed-in user's) refuses another user's link. */
  completeVerification(
    token: unknown,
    options?: { userId?: string; client?: RequestClient },
  ): Promise<VerifiedEmail | null>;
  /** Resolves when the queue is empty (tests, graceful shutdown). */
  idle(): Promise<void>;
}

export function createEmailVerification(options: EmailVerificationOptions): EmailVerification {
  const flow = checkFlowOptions('verify', options);
  if (!serverRuntime) return inertVerification;

  async function work(userId: string, email: string, ip: string | undefined): Promise<void> {
    flowEvent(flow, 'requested', { userId }, ip);
    if (!(await accountAllows(flow, userId, ip))) return;
    let issued;
    try {
      // Only the newest link works: an earlier one may point at an address since replaced.
      await flow.tokens.revokeAll(userId, 'verify');
      issued = await flow.tokens.issue(userId, {
        purpose: 'verify',
        ttlSeconds: flow.ttlSeconds,
        data: email,
      });
    } catch {
      return flowEvent(flow, 'failed', { userId, reason: 'store' }, ip);
    }
    const sent = await sendLink(flow, email, userId, issued);
    flowEvent(flow, sent ? 'sent' : 'failed', sent ? { userId } : { userId, reason: 'send' }, ip);
  }

  async function requestVerification(
    user: { id: string; email: string },
    opts: { client: RequestClient },
  ): Promise<RequestAnswer> {
    if (typeof user !== 'object' || user === null) invalidArg('user', 'an object { id, email }', user);
    const { id, email } = user;
    checkText('user.id', id, MAX_USER_ID_LENGTH);
    checkText('user.email', email, MAX_DATA_LENGTH);
    // One user's jobs run one at a time, in the order asked: each voids the earlier links before
    // issuing its own, so the link of the last request is the one that works (two jobs running
    // at once would each void, then each issue, leaving two).
    return answer(flow, email, opts, (ip) => work(id, email, ip), id);
  }

  async function completeVerification(
    token: unknown,
    opts: { userId?: string; client?: RequestClient } = {},
  ): Promise<VerifiedEmail | null> {
    if (typeof opts !== 'object' || opts === null) invalidArg('options', 'an object', opts);
    const ip = opts.client === undefined ? undefined : clientKey(opts.client).ip;
    let reason: TokenRejectReason = 'unknown';
    const redeemed = await flow.tokens.consume(token, {
      purpose: 'verify',
      userId: opts.userId,
      onReject: (r) => void (reason = r),
    });
    if (redeemed === null || redeemed.data === undefined) {
      flowEvent(flow, 'rejected', { reason }, ip);
      return null;
    }
    flowEvent(flow, 'completed', { userId: redeemed.userId }, ip);
    return { userId: redeemed.userId, email: redeemed.data };
  }

  async function checkVerification(
    token: unknown,
    opts: { userId?: string } = {},
  ): Promise<VerifiedEmail | null> {
    if (typeof opts !== 'object' || opts === null) invalidArg('options', 'an object', opts);
    const found = await flow.tokens.check(token, { purpose: 'verify', userId: opts.userId });
    return found === null || found.data === undefined ? null : { userId: found.userId, email: found.data };
  }

  return {
    requestVerification,
    checkVerification,
    completeVerification,
    idle: () => flow.queue.idle(),
  };
}

const serverOnly = async (): Promise<never> => {
  throw serverOnlyError();
};
const inertVerification: EmailVerification = {
  requestVerification: serverOnly,
  checkVerification: serverOnly,
  completeVerification: serverOnly,
  idle: async () => {},
};
