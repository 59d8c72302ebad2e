// One error class for the whole package, branded with Symbol.for so that isStartGuardError works
// across duplicated module copies (ESM + CJS, or a bundle) and for errors rebuilt on the client.

/** Stable error codes; the README keeps the table with their meaning. */
export type StartGuardErrorCode =
  | 'ERR_SECRET_TOO_SHORT'
  | 'ERR_TOKEN_TOO_LARGE'
  | 'ERR_COOKIE_TOO_LARGE'
  | 'ERR_PASSWORD_TOO_LONG'
  | 'ERR_PASSWORD_TOO_SHORT'
  | 'ERR_PASSWORD_EMPTY'
  | 'ERR_HASH_OVERLOADED'
  | 'ERR_UNAUTHENTICATED'
  | 'ERR_INVALID_CREDENTIALS'
  | 'ERR_FORBIDDEN'
  | 'ERR_REAUTH_REQUIRED'
  | 'ERR_CSRF'
  | 'ERR_RATE_LIMITED'
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_SERVER_ONLY'
  | 'ERR_NATIVE_LOAD'
  | 'ERR_INVALID_OPTION'
  | 'ERR_INSECURE_IN_PRODUCTION';

/** HTTP status for the codes where one applies. */
const STATUS: Partial<Record<StartGuardErrorCode, number>> = {
  ERR_HASH_OVERLOADED: 503,
  ERR_UNAUTHENTICATED: 401,
  ERR_INVALID_CREDENTIALS: 401,
  ERR_FORBIDDEN: 403,
  ERR_REAUTH_REQUIRED: 403,
  ERR_CSRF: 403,
  ERR_RATE_LIMITED: 429,
  ERR_STORE_UNAVAILABLE: 503,
};

const BRAND = Symbol.for('start-guard.error');

export interface StartGuardErrorOptions {
  status?: number;
  cause?: unknown;
}

export class StartGuardError extends Error {
  readonly code: StartGuardErrorCode;
  readonly status: number | undefined;

  constructor(code: StartGuardErrorCode, message?: string, options: StartGuardErrorOptions = {}) {
    // The message always starts with the code, so it survives transports that keep only text.
    const text = message === undefined ? code : message.startsWith(code) ? message : `${code}: ${message}`;
    super(text, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StartGuardError';
    this.code = code;
    this.status = options.status ?? STATUS[code];
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for a StartGuardError from any copy of this package; with `code`, only for that code. */
export function isStartGuardError(value: unknown, code?: StartGuardErrorCode): value is StartGuardError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[BRAND] !== true) return false;
  return code === undefined || (value as StartGuardError).code === code;
}

/** Throws the TypeError used for wrong programmer input, naming the argument. */
export function invalidArg(name: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  const err = new TypeError(`The "${name}" argument must be ${expected}; received ${got}`);
  (err as TypeError & { code: string }).code = 'ERR_INVALID_ARG_TYPE';
  throw err;
}

/** Throws the RangeError used for programmer input out of its range, naming the argument. */
export function outOfRangeArg(name: string, detail: string): never {
  const err = new RangeError(`The "${name}" argument ${detail}`);
  (err as RangeError & { code: string }).code = 'ERR_OUT_OF_RANGE';
  throw err;
}

export function serverOnlyError(): StartGuardError {
  return new StartGuardError('ERR_SERVER_ONLY', 'this start-guard function runs on the server only');
}
