// Stands in for ./native in the browser build: client addresses are a server-side matter, and
// neither node:net nor ipaddr.js belongs in a client bundle.
import { serverOnlyError } from '../errors';

export const onServer = false;

export function canonicalAddress(): string | null {
  throw serverOnlyError();
}

export const isIPv6 = (): boolean => false;

export function ipv6Network(): string {
  throw serverOnlyError();
}

export function compileTrust(): (canonical: string) => boolean {
  throw serverOnlyError();
}

export function warn(): void {}
