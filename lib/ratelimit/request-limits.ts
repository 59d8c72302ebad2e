// The limits of the forms that send e-mail (password reset, registration, e-mail verification):
// one bucket per client and one per address, checked before the answer and counted for every
// request, sent or not. On the address as typed (normalized), never on whether an account has it,
// so unknown addresses are limited exactly like known ones (the answer says nothing) and one
// inbox cannot be flooded from many clients (OWASP Forgot Password Cheat Sheet: e-mail bombing).
// A third bucket, per account, is taken by the flows after the answer on the user id the lookup
// found: spellings of one address that the app's lookup matches but the address bucket tells
// apart (invisible characters an ICU collation ignores) still share one account's bucket.
import { invalidArg, serverOnlyError } from '../errors';
import { type EventSink, emit } from '../events';
import { serverRuntime } from '../native';
import { clientKey, identifierKey } from './keys';

/** What the flows need of a limiter: a `take` (createRateLimiter's, or any store's). */
export interface TakeLimiter {
  take(key: string, cost?: number): Promise<{ allowed: boolean; remaining: number; retryAfterMs: number }>;
}

/** The client as `clientAddress` returns it, or its `limitKey`. */
export type RequestClient = string | { readonly ip?: string | null; readonly limitKey: string };

export interface RequestVerdict {
  allowed: boolean;
  /** 0 when allowed; else when the request may be made again (milliseconds). */
  retryAfterMs: number;
  /** The bucket that refused. */
  limitedBy?: 'client' | 'address';
}

export interface RequestLimits {
  /** Takes one request from the client's bucket, then from the address's, or refuses. */
  check(identifier: unknown, client: RequestClient): Promise<RequestVerdict>;
  readonly perClient: TakeLimiter;
  readonly perAddress: TakeLimiter;
  /**
   * Mails to one account (keyed by its user id), taken after the answer: over it, the mail is
   * silently not sent. Absent: the flow uses an in-process one with the preset's defaults.
   */
  readonly perAccount?: TakeLimiter;
}

export interface RequestLimitsOptions {
  /** One client's requests (keyed by its `limitKey`). */
  perClient: TakeLimiter;
  /** Every client's requests for one address. */
  perAddress: TakeLimiter;
  /** Mails to one account, whatever the spelling of its address (taken by the flows after the answer). */
  perAccount?: TakeLimiter;
  /** Names the form in `ratelimit.blocked` reasons ("reset: this client"); default "request". */
  label?: string;
  onEvent?: EventSink;
}

/** Two limiters as the limits of a form that sends e-mail (what the flows' `limits` takes). */
export function requestLimits(options: RequestLimitsOptions): RequestLimits {
  if (typeof options !== 'object' || options === null) invalidArg('options', 'an object', options);
  const { perClient, perAddress, perAccount, label = 'request', onEvent } = options;
  for (const [name, limiter] of [
    ['options.perClient', perClient],
    ['options.perAddress', perAddress],
  ] as const) {
    if (typeof limiter !== 'object' || limiter === null || typeof limiter.take !== 'function') {
      invalidArg(name, 'a rate limiter (with take)', limiter);
    }
  }
  if (
    perAccount !== undefined &&
    (typeof perAccount !== 'object' || perAccount === null || typeof perAccount.take !== 'function')
  ) {
    invalidArg('options.perAccount', 'a rate limiter (with take)', perAccount);
  }
  if (typeof label !== 'string') invalidArg('options.label', 'a string', label);
  if (onEvent !== undefined && typeof onEvent !== 'function')
    invalidArg('options.onEvent', 'a function', onEvent);
  const blocked = (reason: string, ip: string | undefined) => {
    emit(onEvent, { type: 'ratelimit.blocked', at: Date.now(), reason, ...(ip === undefined ? {} : { ip }) });
  };
  async function check(identifier: unknown, client: RequestClient): Promise<RequestVerdict> {
    if (!serverRuntime) throw serverOnlyError();
    const c = clientKey(client);
    const first = await perClient.take(c.key);
    if (!first.allowed) {
      blocked(`${label}: this client`, c.ip);
      return { allowed: false, retryAfterMs: first.retryAfterMs, limitedBy: 'client' };
    }
    const second = await perAddress.take(identifierKey(identifier));
    if (!second.allowed) {
      blocked(`${label}: this address`, c.ip);
      return { allowed: false, retryAfterMs: second.retryAfterMs, limitedBy: 'address' };
    }
    return { allowed: true, retryAfterMs: 0 };
  }
  return perAccount === undefined
    ? { check, perClient, perAddress }
    : { check, perClient, perAddress, perAccount };
}
