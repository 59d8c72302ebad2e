// Stands in for server.ts in the browser build: the middleware objects stay real Start middleware
// (the client runs their .client() parts, of which start-guard has none), and their .server()
// parts, which Start never calls in the browser, refuse; so do the flows (signIn, signOut…).
import { StartGuardError } from 'start-guard';
import type { AuthCore } from './core.js';

export type { Identity, Limiter, RateLimitKeyArgs } from './server.js';

const refuse = async (): Promise<never> => {
  throw new StartGuardError('ERR_SERVER_ONLY', 'this start-guard function runs on the server only');
};

/** Nothing of the server's options is read in the browser (their secrets are not there). */
export function serverInit(): Pick<AuthCore, 'trustProxy' | 'migrate'> {
  return { trustProxy: undefined, migrate: undefined };
}
export const csrfRequest = refuse;
export const sessionRequest = refuse;
export const identityFn = refuse;
export const identityRoute = refuse;
export const protectFn = refuse;
export const roleFn = refuse;
export const whereFn = refuse;
export const freshFn = refuse;
export const rateLimitFn = refuse;
export const clientAddressFn = refuse;
export const signInFlow = refuse;
export const updateSessionFlow = refuse;
export const signOutFlow = refuse;
export const getSessionFlow = refuse;
export const passwordSignInFlow = refuse;
const inertFlows = () => ({ request: refuse, check: refuse, complete: refuse });
export const passwordResetHelpers = inertFlows;
export const emailVerificationHelpers = inertFlows;
