// clientAddress: who is asking, for rate limits and events. Without trustProxy, the socket's
// peer; behind proxies you list, the rightmost X-Forwarded-For hop that is not one of them
// (hops to its left are whatever the client sent). A client is keyed by its IPv4 address or
// its IPv6 /64: one host usually holds a whole /64, so per-address keys would give it 2^64
// buckets.
import { invalidArg, serverOnlyError } from '../errors';
import { canonicalAddress, compileTrust, ipv6Network, isIPv6, onServer, warn } from './native';

/** Fetch `Headers`, or Node's `IncomingMessage.headers` (a plain object). */
export type HeadersInput =
  { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface ClientAddressInput {
  /** The socket's peer address (Node's `socket.remoteAddress`). */
  remoteAddress?: string | null;
  headers?: HeadersInput | null;
}

export interface ClientAddressOptions {
  /**
   * The proxies in front of the app, as CIDRs or addresses (`['10.0.0.0/8', '::1']`). Unset: the
   * socket's peer is the client and X-Forwarded-For is ignored (with one warning).
   */
  trustProxy?: readonly string[];
  /** The IPv6 prefix that keys one client (default 64, from 16 to 128). */
  ipv6Prefix?: number;
}

export interface ClientAddress {
  /** The client's address in canonical text (IPv4-mapped IPv6 as IPv4), or null if unknown. */
  ip: string | null;
  /** The rate-limit key: the IPv4 address, the IPv6 network (`2001:db8:1:2::/64`), or `unknown`. */
  limitKey: string;
}

/** Every request without a usable address shares this key: limited together, never unlimited. */
export const UNKNOWN_CLIENT = 'unknown';
// A real chain has a handful of proxies; past this many trusted hops the header is not believed.
const MAX_TRUSTED_HOPS = 32;

const trustCache = new Map<string, (canonical: string) => boolean>();
let warnedUntrusted = false;
let warnedNoPeer = false;

export function clientAddress(input: ClientAddressInput, options: ClientAddressOptions = {}): ClientAddress {
  if (!onServer) throw serverOnlyError();
  if (typeof input !== 'object' || input === null)
    invalidArg('input', 'an object { remoteAddress, headers }', input);
  if (typeof options !== 'object' || options === null) invalidArg('options', 'an object', options);
  const prefix = options.ipv6Prefix ?? 64;
  if (!Number.isInteger(prefix) || prefix < 16 || prefix > 128) {
    invalidArg('options.ipv6Prefix', 'an integer from 16 to 128', prefix);
  }
  const remote = typeof input.remoteAddress === 'string' ? canonicalAddress(input.remoteAddress) : null;
  if (remote === null && !warnedNoPeer) {
    // Usually a Fetch Request passed as it is (it has headers but no peer address): then every
    // client would share one rate-limit key.
    warnedNoPeer = true;
    warn(
      'start-guard: clientAddress() got no usable remoteAddress, so the client is unknown and shares ' +
        "the rate-limit key 'unknown' with every such request. Pass the connection's address " +
        '(Node: req.socket.remoteAddress; TanStack Start: getRequestIP()).',
      'START_GUARD_NO_REMOTE_ADDRESS',
    );
  }
  const trustProxy = options.trustProxy;
  if (trustProxy === undefined) {
    if (!warnedUntrusted && forwardedFor(input.headers) !== undefined) {
      warnedUntrusted = true;
      warn(
        'start-guard: a request carried X-Forwarded-For but clientAddress() has no trustProxy, so the ' +
          "header is ignored and the socket's address used. Behind a proxy or load balancer, pass " +
          "trustProxy: [its addresses or CIDRs], or every client shares the proxy's rate limits.",
        'START_GUARD_UNTRUSTED_FORWARDED_FOR',
      );
    }
    return result(remote, prefix);
  }
  const trusted = trustOf(trustProxy);
  if (remote === null || !trusted(remote)) return result(remote, prefix);
  // The peer is a proxy we trust: walk the hops it and its trusted peers appended, right to left.
  const header = forwardedFor(input.headers);
  if (header === undefined || header.trim() === '') return result(remote, prefix);
  const hops = header.split(',');
  let client = remote;
  for (let i = hops.length - 1, walked = 0; i >= 0; i--, walked++) {
    const hop = canonicalAddress(withoutPort(hops[i].trim()));
    // A trusted proxy wrote this hop: garbage here means the chain cannot be believed.
    if (hop === null || walked >= MAX_TRUSTED_HOPS) return result(null, prefix);
    client = hop;
    if (!trusted(hop)) break;
  }
  // All hops trusted: the leftmost is where the request came from.
  return result(client, prefix);
}

// Some proxies (Azure Application Gateway among them) append the peer's port to each hop:
// `203.0.113.7:4711`, `[2001:db8::7]:4711`. The address inside is checked by canonicalAddress.
const IPV4_WITH_PORT = /^([0-9.]+):\d{1,5}$/;
const BRACKETED_IPV6 = /^\[([^\]]+)\](?::\d{1,5})?$/;

function withoutPort(hop: string): string {
  const m = IPV4_WITH_PORT.exec(hop) ?? BRACKETED_IPV6.exec(hop);
  return m === null ? hop : m[1];
}

function result(ip: string | null, prefix: number): ClientAddress {
  if (ip === null) return { ip: null, limitKey: UNKNOWN_CLIENT };
  return { ip, limitKey: isIPv6(ip) && prefix < 128 ? ipv6Network(ip, prefix) : ip };
}

function trustOf(list: unknown): (canonical: string) => boolean {
  if (!Array.isArray(list)) invalidArg('options.trustProxy', 'an array of CIDRs', list);
  // The cache is keyed by exactly what was compiled: strings only (compileTrust refuses the
  // rest, naming the entry), as JSON, so no other list can read as one that passed.
  if (!list.every((entry) => typeof entry === 'string')) return compileTrust(list);
  const id = JSON.stringify(list);
  let trusted = trustCache.get(id);
  if (trusted === undefined) {
    trusted = compileTrust(list);
    if (trustCache.size >= 64) trustCache.clear();
    trustCache.set(id, trusted);
  }
  return trusted;
}

/** The X-Forwarded-For header, its repeats joined, or undefined. */
function forwardedFor(headers: unknown): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get('x-forwarded-for') ?? undefined;
  }
  const record = headers as Record<string, unknown>;
  let value = record['x-forwarded-for'];
  if (value === undefined) {
    // Node lower-cases header names; a hand-made object may not have.
    for (const name in record) {
      if (name.length === 15 && name.toLowerCase() === 'x-forwarded-for') value = record[name];
    }
  }
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.join(',');
  return undefined;
}
