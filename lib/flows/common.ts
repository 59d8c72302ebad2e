// What the e-mail flows (password reset, e-mail verification) share: their options, the answer
// given before any work (limits, then the queue), and a link sent with its failure reported.
import { invalidArg } from '../errors';
import { type EventSink, type StartGuardEvent, emit } from '../events';
import { clientKey } from '../ratelimit/keys';
import { createRateLimiter } from '../ratelimit/limiter';
import { REGISTRATION_DEFAULTS, RESET_DEFAULTS, registrationLimits, resetLimits } from '../ratelimit/presets';
import type { RequestClient, RequestLimits, TakeLimiter } from '../ratelimit/request-limits';
import { type SingleUseTokens, checkTtl } from '../tokens/tokens';
import { checkLinkBase, linkWithToken } from './link';
import { AfterResponseQueue, type QueueOptions } from './queue';

/** What `send` receives: the link, and where to send it. Never logged by start-guard. */
export interface LinkMessage {
  /** The address on record (never the one typed into the form). */
  to: string;
  userId: string;
  /** The configured page with `?token=…`. */
  url: string;
  /** When the link stops working, epoch seconds. */
  expiresAt: number;
}

export interface FlowOptions {
  tokens: SingleUseTokens;
  /** The page the link opens, absolute (its origin is configuration, never a request's Host). */
  url: string | URL;
  /**
   * Sends the e-mail; called after the answer, on the flow's queue. Hand the message to an outbox
   * or a worker and return: what it costs on the event loop shows in the timing of whatever
   * request the server handles next, and only known addresses get a mail.
   */
  send(message: LinkMessage): Promise<void>;
  /**
   * Per client and per address (before the answer) and per account (after it). Default:
   * `resetLimits()` for the reset flow and `registrationLimits()` for verification (in-process;
   * pass them with a `store` for several instances), or your own `requestLimits(...)`.
   */
  limits?: RequestLimits;
  /**
   * The link's lifetime in seconds (default: the tokens' default for the purpose); at most one
   * day for a reset link, seven for a verification link.
   */
  ttlSeconds?: number;
  queue?: QueueOptions;
  onEvent?: EventSink;
}

/** The answer to a request: the same for every address, known or not. */
export interface RequestAnswer {
  allowed: boolean;
  /** 0 when allowed; else when to try again (milliseconds). */
  retryAfterMs: number;
  /** Why not: a limit, or the flow's queue being full (a flood). */
  limitedBy?: 'client' | 'address' | 'queue';
}

const QUEUE_FULL_RETRY_MS = 1000;

export interface Flow {
  /** The events' prefix, and the tokens' purpose. */
  kind: 'reset' | 'verify';
  tokens: SingleUseTokens;
  base: URL;
  send: (message: LinkMessage) => Promise<void>;
  limits: RequestLimits;
  /** Mails to one account, taken after the answer. */
  perAccount: TakeLimiter;
  ttlSeconds: number | undefined;
  queue: AfterResponseQueue;
  onEvent: EventSink | undefined;
}

export function checkFlowOptions(kind: Flow['kind'], options: FlowOptions): Flow {
  if (typeof options !== 'object' || options === null) invalidArg('options', 'an object', options);
  const { tokens, send, ttlSeconds, onEvent } = options;
  const limits =
    options.limits !== undefined
      ? options.limits
      : kind === 'reset'
        ? resetLimits({ onEvent })
        : registrationLimits({ onEvent });
  if (typeof tokens !== 'object' || tokens === null || typeof tokens.issue !== 'function') {
    invalidArg('options.tokens', 'the result of createSingleUseTokens()', tokens);
  }
  if (typeof send !== 'function') invalidArg('options.send', 'a function', send);
  if (typeof limits !== 'object' || limits === null || typeof limits.check !== 'function') {
    invalidArg('options.limits', 'request limits (resetLimits() or registrationLimits())', limits);
  }
  if (ttlSeconds !== undefined) checkTtl('options.ttlSeconds', ttlSeconds, kind);
  if (onEvent !== undefined && typeof onEvent !== 'function')
    invalidArg('options.onEvent', 'a function', onEvent);
  const given = limits.perAccount as unknown;
  if (
    given !== undefined &&
    (typeof given !== 'object' || given === null || typeof (given as TakeLimiter).take !== 'function')
  ) {
    invalidArg('options.limits.perAccount', 'a rate limiter (with take)', given);
  }
  // Limits built by hand without an account bucket still get one (in-process, the preset's).
  const perAccount =
    limits.perAccount ??
    createRateLimiter((kind === 'reset' ? RESET_DEFAULTS : REGISTRATION_DEFAULTS).perAccount);
  return {
    kind,
    tokens,
    base: checkLinkBase('options.url', options.url),
    send,
    limits,
    perAccount,
    ttlSeconds,
    queue: new AfterResponseQueue('options.queue', options.queue),
    onEvent,
  };
}

/**
 * The whole of what happens before the answer: the limits (counted for every request) and the
 * queueing of `job` (after jobs of the same `key`). Nothing here depends on whether the address
 * has an account.
 */
export async function answer(
  flow: Flow,
  identifier: unknown,
  options: { client: RequestClient },
  job: (ip: string | undefined) => Promise<void>,
  key?: string,
): Promise<RequestAnswer> {
  if (typeof options !== 'object' || options === null)
    invalidArg('options', 'an object with client', options);
  const { ip } = clientKey(options.client);
  const verdict = await flow.limits.check(identifier, options.client);
  if (!verdict.allowed) return verdict;
  if (!flow.queue.push(() => job(ip), key)) {
    flowEvent(flow, 'failed', { reason: 'queue_full' }, ip);
    return { allowed: false, retryAfterMs: QUEUE_FULL_RETRY_MS, limitedBy: 'queue' };
  }
  return { allowed: true, retryAfterMs: 0 };
}

/**
 * Takes one mail from the account's bucket, after the answer: false (and a `failed` event with
 * reason `account_limit`) when the account has had its share, whatever spelling of its address
 * asked. The answer is gone already, so refusing here tells the asker nothing.
 */
export async function accountAllows(flow: Flow, userId: string, ip: string | undefined): Promise<boolean> {
  let allowed: boolean;
  try {
    allowed = (await flow.perAccount.take(userId)).allowed === true;
  } catch {
    flowEvent(flow, 'failed', { userId, reason: 'limiter' }, ip);
    return false;
  }
  if (!allowed) flowEvent(flow, 'failed', { userId, reason: 'account_limit' }, ip);
  return allowed;
}

/**
 * Sends the link for a token just issued. On failure the token is consumed (no link to it went
 * out, or one may have half gone: either way it must not stay usable) and false is returned.
 */
export async function sendLink(
  flow: Flow,
  to: string,
  userId: string,
  issued: { token: string; expiresAt: number },
): Promise<boolean> {
  try {
    await flow.send({ to, userId, url: linkWithToken(flow.base, issued.token), expiresAt: issued.expiresAt });
    return true;
  } catch {
    await flow.tokens.consume(issued.token, { purpose: flow.kind }).catch(() => {});
    return false;
  }
}

type Step = 'requested' | 'sent' | 'failed' | 'rejected' | 'completed';

/** Emits `<kind>.<step>` with `at` now, and the ip when known. Never a token or an address. */
export function flowEvent(
  flow: Flow,
  step: Step,
  fields: { userId?: string; reason?: string },
  ip?: string,
): void {
  const event = { type: `${flow.kind}.${step}`, at: Date.now(), ...fields } as StartGuardEvent;
  if (ip !== undefined) event.ip = ip;
  emit(flow.onEvent, event);
}
