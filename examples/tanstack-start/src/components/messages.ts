// What a person reads when a server function refuses. The codes come from start-guard's errors,
// decoded on the client by the serialization adapter that startOptions() registers.
import { isStartGuardError } from 'start-guard';

export function retrySeconds(error: unknown): number | null {
  const m = /retry in (\d+) s/.exec(error instanceof Error ? error.message : '');
  return m ? Number(m[1]) : null;
}

export function messageFor(error: unknown): string {
  if (!isStartGuardError(error)) return 'Something went wrong. Try again.';
  switch (error.code) {
    case 'ERR_INVALID_CREDENTIALS':
      return 'Wrong e-mail address or password.';
    case 'ERR_RATE_LIMITED':
      return `Too many attempts. Try again in ${retrySeconds(error) ?? 60} seconds.`;
    case 'ERR_PASSWORD_TOO_SHORT':
      return 'Choose a password of at least 8 characters.';
    case 'ERR_PASSWORD_TOO_LONG':
      return 'That password is too long (at most 1024 bytes).';
    case 'ERR_PASSWORD_EMPTY':
      return 'Enter a password.';
    case 'ERR_UNAUTHENTICATED':
      return 'Your session has ended. Sign in again.';
    case 'ERR_REAUTH_REQUIRED':
      return 'Sign in again to continue.';
    case 'ERR_FORBIDDEN':
      return 'This page is for admins only.';
    case 'ERR_CSRF':
      return 'This request came from another site and was refused.';
    case 'ERR_HASH_OVERLOADED':
    case 'ERR_STORE_UNAVAILABLE':
      return 'The server is busy. Try again in a moment.';
    default:
      return 'Something went wrong. Try again.';
  }
}
