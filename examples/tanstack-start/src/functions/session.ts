import { createServerFn } from '@tanstack/react-start';
import { ready } from '../server/accounts.server';
import { flows } from '../server/flows.server';

/** Public: null, or the session's public fields and the user as publicUser() shows it. */
export const getSession = createServerFn().handler(async () => {
  await ready(); // the demo accounts, made on the first request
  return flows.getSession();
});
