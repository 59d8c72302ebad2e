// Where the audit may send its calls. Probing executes every function that answers (that is the
// finding), so by default only a server on this machine is probed: a typo in a URL must not run
// a production deployment's functions. Any other host needs allowRemoteHost (--allow-remote-host).
import { isIP } from 'node:net';
import { argTypeError } from './args.js';

export function auditTarget(url: unknown, allowRemoteHost: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url instanceof URL ? url.href : (url as string));
  } catch {
    throw argTypeError('url', 'an absolute http(s) URL such as http://127.0.0.1:3000');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw argTypeError('url', `an http: or https: URL; received ${parsed.protocol}`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    // Refused, and never echoed: the URL ends up in CI logs and in the report.
    throw argTypeError('url', 'a URL without credentials (user:password@ is refused; it is not printed)');
  }
  if (!allowRemoteHost && !isLoopback(parsed.hostname)) {
    throw new Error(
      `start-guard audit: ${parsed.host} is not this machine. Probing calls every server function that ` +
        'answers, side effects included: run it against a test deployment, and pass --allow-remote-host ' +
        '(allowRemoteHost: true) to probe another host',
    );
  }
  return parsed;
}

/**
 * localhost (RFC 6761), 127.0.0.0/8, ::1 and IPv4-mapped 127/8, for a hostname as WHATWG URL
 * parsing leaves it (IPv6 compressed, IPv4-mapped as ::ffff:7f00:1). Names are not resolved.
 */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host);
  return false;
}
