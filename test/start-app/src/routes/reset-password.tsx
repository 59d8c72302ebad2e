// The page a reset link opens: its URL carries the token, so it is never sent on in a Referer and
// never cached (sensitivePageHeaders); the loader checks the link during SSR.
import { createFileRoute } from '@tanstack/react-router';
import { sensitivePageHeaders } from 'start-guard/start';
import { checkReset } from '../lib/flows';

export const Route = createFileRoute('/reset-password')({
  validateSearch: (search: Record<string, unknown>) => ({ token: String(search.token ?? '') }),
  loaderDeps: ({ search }) => ({ token: search.token }),
  loader: ({ deps }) => checkReset({ data: { token: deps.token } }),
  headers: sensitivePageHeaders,
  head: () => ({ meta: [{ name: 'referrer', content: 'no-referrer' }] }),
  component: function ResetPassword() {
    const valid = Route.useLoaderData();
    return <h1 id="reset">{valid ? 'Choose a new password' : 'This link is no longer valid'}</h1>;
  },
});
