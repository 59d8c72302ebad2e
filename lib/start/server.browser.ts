// Stands in for server.ts in the browser build: the middleware objects stay real Start middleware
// (the client runs their .client() parts, of which start-guard has none), and their .server()
// parts, which Start never calls in the browser, refuse.
import { StartGuardError } from 'start-guard';

export type { Identity, Limiter } from './server.js';

const refuse = async (): Promise<never> => {
  throw new StartGuardError('ERR_SERVER_ONLY', 'this start-guard function runs on the server only');
};

export function serverInit(): void {}
export const csrfRequest = refuse;
export const sessionRequest = refuse;
export const identityFn = refuse;
export const identityRoute = refuse;
export const protectFn = refuse;
export const roleFn = refuse;
export const whereFn = refuse;
export const freshFn = refuse;
export const rateLimitFn = refuse;
