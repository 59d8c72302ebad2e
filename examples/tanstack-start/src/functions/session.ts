import { createServerFn } from '@tanstack/react-start';
import { ready } from '../server/accounts.server';
import { auth } from '../auth';

/** Public: null, or the session's public fields and the user as publicUser() shows it. */
export const getSession = createServerFn().handler(async () => {
  await ready(); // the demo accounts, made on the first request
  return auth.getSession();
});
