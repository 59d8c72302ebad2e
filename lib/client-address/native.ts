// Address parsing for clientAddress, on Node's own parser (net.isIP, net.BlockList) and
// ipaddr.js (RFC 5952 text, IPv4-mapped addresses, prefixes): no hand-written parser. The
// browser build swaps this module for native.browser.ts (scripts/build-ts.mjs), so neither
// `node:net` nor ipaddr.js reaches a client bundle.
import { BlockList, isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { StartGuardError } from '../errors';

/** False in the browser build. */
export const onServer = true;

/**
 * A valid address in one canonical text, or null: IPv4 as is (net.isIP refuses leading zeros,
 * hex and short forms), IPv4-mapped IPv6 as its IPv4 address, other IPv6 compressed (RFC 5952,
 * lower case) without a zone id. Never throws: whatever does not parse is null.
 */
export function canonicalAddress(value: string): string | null {
  const family = isIP(value);
  if (family === 4) return value;
  if (family !== 6) return null;
  // net.isIP accepts any zone id (`fe80::1%br-1a2b3c`, `%eth0.100`); ipaddr.js only some. The
  // zone names an interface of the host that wrote it, not part of the client: it goes.
  const zone = value.indexOf('%');
  try {
    const v6 = ipaddr.IPv6.parse(zone === -1 ? value : value.slice(0, zone));
    if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
    return new ipaddr.IPv6(v6.parts).toRFC5952String();
  } catch {
    return null;
  }
}

export const isIPv6 = (canonical: string): boolean => canonical.includes(':');

/** The network of a canonical IPv6 address at `bits`, as `net/bits`. */
export function ipv6Network(canonical: string, bits: number): string {
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${canonical}/${bits}`).toRFC5952String()}/${bits}`;
}

/**
 * Compiles a list of CIDRs (or single addresses) into a membership test of canonical
 * addresses. An entry that does not parse is ERR_INVALID_OPTION naming it.
 */
export function compileTrust(entries: readonly string[]): (canonical: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const bad = (): never => {
      throw new StartGuardError(
        'ERR_INVALID_OPTION',
        `trustProxy: ${JSON.stringify(entry)} is not an IP address or CIDR (like 10.0.0.0/8 or 2001:db8::/32)`,
      );
    };
    if (typeof entry !== 'string') bad();
    const slash = entry.indexOf('/');
    const address = slash === -1 ? entry : entry.slice(0, slash);
    const prefixText = slash === -1 ? undefined : entry.slice(slash + 1);
    let family = isIP(address);
    if (family === 0) bad();
    let prefix = prefixText === undefined ? (family === 4 ? 32 : 128) : Number(prefixText);
    if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) bad();
    if (prefix > (family === 4 ? 32 : 128)) bad();
    // Compared with canonical addresses, which have no zone id.
    const zone = address.indexOf('%');
    let network = zone === -1 ? address : address.slice(0, zone);
    // An IPv4-mapped entry covers IPv4 addresses, which is how addresses are compared here.
    if (family === 6 && prefix >= 96) {
      const canonical = canonicalAddress(network) ?? bad();
      if (!isIPv6(canonical)) {
        network = canonical;
        prefix -= 96;
        family = 4;
      }
    }
    try {
      list.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
    } catch {
      bad();
    }
  }
  return (canonical) => list.check(canonical, isIPv6(canonical) ? 'ipv6' : 'ipv4');
}

export function warn(message: string, code: string): void {
  process.emitWarning(message, { type: 'StartGuardWarning', code });
}
