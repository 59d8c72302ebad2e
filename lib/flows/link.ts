// The links put in e-mails. Their origin comes from configuration, never from the request: a
// reset link built from a request's Host header lets an attacker who sends a forged Host receive
// the victim's token at their own server (host header poisoning; OWASP Forgot Password Cheat
// Sheet).
import { StartGuardError, invalidArg } from '../errors';
import { isProduction } from '../env';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Checks the page a link points to: absolute, https (http only for loopback development). */
export function checkLinkBase(name: string, value: unknown): URL {
  if (typeof value !== 'string' && !(value instanceof URL)) invalidArg(name, 'an absolute URL', value);
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return invalidArg(name, 'an absolute URL (https://app.example.com/reset-password)', value);
  }
  if (url.username !== '' || url.password !== '') {
    throw new StartGuardError('ERR_INVALID_OPTION', `${name} must not carry credentials`);
  }
  if (url.hash !== '' || url.searchParams.has('token')) {
    throw new StartGuardError('ERR_INVALID_OPTION', `${name} must have no fragment and no "token" parameter`);
  }
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) {
    if (isProduction()) {
      throw new StartGuardError('ERR_INSECURE_IN_PRODUCTION', `${name} is a plain-http development URL`);
    }
  } else if (url.protocol !== 'https:') {
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      `${name} must be https (plain http only for localhost): the link carries a credential`,
    );
  }
  return url;
}

/** The page's URL with the token as its `token` parameter. */
export function linkWithToken(base: URL, token: string): string {
  const url = new URL(base.href);
  url.searchParams.set('token', token);
  return url.href;
}
