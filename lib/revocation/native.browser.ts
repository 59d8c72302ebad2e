// Stands in for ./native in the browser build: creating a store is inert (route modules that
// build a session manager are evaluated in the browser), and using it is ERR_SERVER_ONLY.
import { StartGuardError } from '../errors';
import type { RevocationStore } from './types';

export const onServer = false;

export function openFileStore(): RevocationStore {
  const serverOnly = async (): Promise<never> => {
    throw new StartGuardError('ERR_SERVER_ONLY', 'the file revocation store runs on the server only');
  };
  return { revoke: serverOnly, revokeUserBefore: serverOnly, isRevoked: serverOnly, close: async () => {} };
}
