// The sign-in page (onUnauthenticated: '/login'). With ?guarded=1 its loader calls a guarded
// function, as a root or layout loader would: that must give the error, not a redirect loop.
import { createFileRoute } from '@tanstack/react-router';
import { whoami } from '../lib/fns';

export const Route = createFileRoute('/login')({
  validateSearch: (search: Record<string, unknown>) => ({
    guarded: search.guarded === '1' || search.guarded === 1 ? '1' : undefined,
  }),
  loaderDeps: ({ search }) => ({ guarded: search.guarded }),
  loader: async ({ deps }) => (deps.guarded === '1' ? await whoami() : null),
  errorComponent: ({ error }) => <p>sign-in page error: {String((error as Error).message).slice(0, 40)}</p>,
  component: () => <h1>Sign in</h1>,
});
