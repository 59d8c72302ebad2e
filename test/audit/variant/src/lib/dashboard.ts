// The page guard pattern that protects the page and not the data: /dashboard's beforeLoad
// redirects without a session, but its loader's server function has no middleware.
import { createServerFn } from '@tanstack/react-start';
import { auth } from '../auth';
import { ran } from './calls';

export const currentUserId = createServerFn()
  .middleware([auth.optional])
  .handler(async ({ context }) => context.user?.id ?? null);

export const dashboardStats = createServerFn().handler(async () => {
  ran('dashboardStats');
  return { revenue: 48_000, customers: 312 };
});
