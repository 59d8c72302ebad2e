// The same with onUnauthenticated: 'error': the error boundary renders, the status is Start's own.
import { createFileRoute } from '@tanstack/react-router';
import { isStartGuardError } from 'start-guard';
import { strictWhoami } from '../lib/fns';

export const Route = createFileRoute('/strict')({
  loader: () => strictWhoami(),
  errorComponent: ({ error }) => (
    <h1 id="error">{isStartGuardError(error) ? `guard: ${error.code}` : `other: ${String(error)}`}</h1>
  ),
  component: function Strict() {
    const me = Route.useLoaderData();
    return <h1 id="who">Strict page for {me.id}</h1>;
  },
});
