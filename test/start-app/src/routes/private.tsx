// A page whose loader calls a guarded server function during SSR: without a session the guard
// redirects to /login (onUnauthenticated: '/login').
import { createFileRoute } from '@tanstack/react-router';
import { whoami } from '../lib/fns';

export const Route = createFileRoute('/private')({
  loader: () => whoami(),
  component: function Private() {
    const me = Route.useLoaderData();
    return <h1 id="who">Signed in as {me.name}</h1>;
  },
});
