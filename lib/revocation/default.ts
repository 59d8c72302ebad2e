// The store a session manager uses when its `revocation` option is omitted: the file store at
// ./.start-guard/revocations, convenient in development and refused in production, where the
// file (or the Redis store) must be chosen on purpose.
import { isProduction } from '../env';
import { StartGuardError } from '../errors';
import { createFileRevocationStore } from './file';
import { onServer } from './native';
import type { RevocationStore } from './types';

/** Relative to the working directory. */
export const DEFAULT_REVOCATION_PATH = './.start-guard/revocations';

let announced = false;

export function defaultRevocationStore(): RevocationStore {
  // In the browser build the store is inert, and NODE_ENV (inlined by bundlers) says nothing.
  if (!onServer) return createFileRevocationStore({ path: DEFAULT_REVOCATION_PATH });
  if (isProduction()) {
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      'NODE_ENV=production requires an explicit revocation store: pass ' +
        "`revocation: createFileRevocationStore({ path: '/var/lib/<app>/revocations' })` to the session " +
        'manager for a single instance, or the Redis store (createRedisRevocationStore from ' +
        'start-guard/redis) for several.',
    );
  }
  const store = createFileRevocationStore({ path: DEFAULT_REVOCATION_PATH });
  if (!announced) {
    announced = true;
    // A notice for the operator, on stderr: a library never writes to stdout (it may be data).
    process.emitWarning(
      `start-guard: revoked sessions are kept in ${process.cwd()}/.start-guard/revocations (the default ` +
        'file store; pass `revocation: createFileRevocationStore({ path })` to choose the file).',
      { code: 'START_GUARD_DEFAULT_STORE' },
    );
  }
  return store;
}
