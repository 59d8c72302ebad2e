// Limiter presets for the forms that send e-mail, beside loginLimits: password reset and
// registration (which sends the verification mail). Per client and per address, on the address
// as typed, so unknown addresses are limited exactly like known ones (the answer says nothing)
// and one inbox cannot be bombed from many clients (OWASP Forgot Password Cheat Sheet).
import { invalidArg } from '../errors';
import type { EventSink } from '../events';
import { bucketSettings, checkName } from './args';
import type { BucketSettings } from './login';
import { createRateLimiter } from './limiter';
import { type RequestLimits, requestLimits } from './request-limits';
import type { RateLimitStore } from './types';

export interface FormLimitsOptions {
  /** One client's requests, whatever the address. */
  perClient?: BucketSettings;
  /** Every client's requests for one address. */
  perAddress?: BucketSettings;
  /** Mails to one account (its user id, found after the answer), whatever spelling reached it. */
  perAccount?: BucketSettings;
  /** A shared store (start-guard/redis) for several instances; default the in-process table. */
  store?: RateLimitStore;
  /** Prefix of the two limiters' names (default `start-guard:reset` / `start-guard:registration`). */
  name?: string;
  /** Per bucket kind, the most keys held in process (default 1,000,000). */
  maxKeys?: number;
  onEvent?: EventSink;
}

/**
 * Reset defaults: 10 requests per client, then one every 2 minutes; 3 mails per address, then one
 * every 15 minutes; and 3 mails per account, then one every 15 minutes.
 */
export const RESET_DEFAULTS = Object.freeze({
  perClient: Object.freeze({ capacity: 10, refillPerSecond: 1 / 120 }),
  perAddress: Object.freeze({ capacity: 3, refillPerSecond: 1 / 900 }),
  perAccount: Object.freeze({ capacity: 3, refillPerSecond: 1 / 900 }),
});
/**
 * Registration defaults: 5 per client, then one every 10 minutes; 3 per address, then one every
 * 15 minutes; 3 verification mails per account, then one every 15 minutes.
 */
export const REGISTRATION_DEFAULTS = Object.freeze({
  perClient: Object.freeze({ capacity: 5, refillPerSecond: 1 / 600 }),
  perAddress: Object.freeze({ capacity: 3, refillPerSecond: 1 / 900 }),
  perAccount: Object.freeze({ capacity: 3, refillPerSecond: 1 / 900 }),
});

/** The limits of a "forgot password" form (what createPasswordReset's `limits` takes). */
export function resetLimits(options: FormLimitsOptions = {}): RequestLimits {
  return formLimits('reset', options, RESET_DEFAULTS);
}

/** The limits of a registration form, and of requests for a new verification mail. */
export function registrationLimits(options: FormLimitsOptions = {}): RequestLimits {
  return formLimits('registration', options, REGISTRATION_DEFAULTS);
}

function formLimits(
  kind: string,
  options: FormLimitsOptions,
  defaults: { perClient: BucketSettings; perAddress: BucketSettings; perAccount: BucketSettings },
): RequestLimits {
  if (typeof options !== 'object' || options === null) invalidArg('options', 'an object', options);
  const perClient = bucketSettings('options.perClient', options.perClient, defaults.perClient);
  const perAddress = bucketSettings('options.perAddress', options.perAddress, defaults.perAddress);
  const perAccount = bucketSettings('options.perAccount', options.perAccount, defaults.perAccount);
  const name = checkName('options.name', options.name) ?? `start-guard:${kind}`;
  const onEvent = options.onEvent;
  // The limiters' own refusals are reported by requestLimits, with the client's address.
  const sink: EventSink | undefined =
    onEvent === undefined ? undefined : (e) => e.type !== 'ratelimit.blocked' && onEvent(e);
  const common = { store: options.store, maxKeys: options.maxKeys, onEvent: sink };
  return requestLimits({
    perClient: createRateLimiter({ ...common, ...perClient, name: `${name}:client` }),
    perAddress: createRateLimiter({ ...common, ...perAddress, name: `${name}:address` }),
    perAccount: createRateLimiter({ ...common, ...perAccount, name: `${name}:account` }),
    label: kind,
    onEvent,
  });
}
