// Stands in for ./native in the browser build: creating a store is inert (modules that build the
// reset flow may be evaluated in the browser), and using it is ERR_SERVER_ONLY.
import { StartGuardError } from '../errors';
import type { TokenStore } from './types';

export function openFileTokenStore(): TokenStore {
  const serverOnly = async (): Promise<never> => {
    throw new StartGuardError('ERR_SERVER_ONLY', 'the file token store runs on the server only');
  };
  return {
    insert: serverOnly,
    find: serverOnly,
    delete: serverOnly,
    deleteForUser: serverOnly,
    close: async () => {},
  };
}
