// The links put in e-mails. Their origin comes from configuration, never from the request: a
// reset link built from a request's Host header lets an attacker who sends a forged Host receive
// the victim's token at their own server (host header poisoning; OWASP Forgot Password Cheat
// Sheet).
import { StartGuardError, invalidArg } from '../errors';
import { isProduction } from '../env';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

let warnedLoopback = false;

/**
 * Checks the page a link points to: absolute, https, or plain http on a loopback host. A loopback
 * link never crosses a network, so plain http exposes nothing there; with NODE_ENV=production it
 * is a production build run on one machine (a demo, an end-to-end test), and one warning says the
 * links work on that machine only (a deployment that forgot its public URL finds out at once).
 */
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
    if (isProduction() && !warnedLoopback && typeof process.emitWarning === 'function') {
      warnedLoopback = true;
      process.emitWarning(
        `start-guard: e-mail links point at ${url.origin} with NODE_ENV=production: they work on this machine only`,
        { type: 'StartGuardWarning', code: 'START_GUARD_LOOPBACK_LINK' },
      );
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
