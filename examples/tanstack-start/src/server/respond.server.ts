// Refusals thrown from a handler of the app's own: a StartGuardError thrown alone reaches the
// client as a 200 (Start 1.169), so the status and start-guard's header are set first, as
// start-guard's middleware does.
import { setResponseHeader, setResponseStatus } from '@tanstack/react-start/server';
import { StartGuardError, isStartGuardError } from 'start-guard';

export function refusal(error: StartGuardError, headers: Record<string, string> = {}): StartGuardError {
  setResponseStatus(error.status ?? 400);
  setResponseHeader('x-start-guard-error', error.code);
  for (const [name, value] of Object.entries(headers)) setResponseHeader(name as never, value);
  return error;
}

/** 429 with Retry-After (whole seconds). */
export function limited(retryAfterMs: number): StartGuardError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return refusal(new StartGuardError('ERR_RATE_LIMITED', `too many requests; retry in ${seconds} s`), {
    'retry-after': String(seconds),
  });
}

// The password policy's refusals (too short, too long, empty) are the user's to fix: a 400.
const POLICY = new Set(['ERR_PASSWORD_TOO_LONG', 'ERR_PASSWORD_TOO_SHORT', 'ERR_PASSWORD_EMPTY']);

export function policyRefusal(error: unknown): unknown {
  if (isStartGuardError(error) && POLICY.has(error.code)) {
    return refusal(new StartGuardError(error.code, error.message, { status: 400 }));
  }
  return error;
}
