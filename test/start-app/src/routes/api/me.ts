// A server route guarded by the rejecting request middleware.
import { createFileRoute } from '@tanstack/react-router';
import { auth } from '../../auth';

export const Route = createFileRoute('/api/me')({
  server: {
    middleware: [auth.requestMiddleware],
    handlers: {
      GET: ({ context }) => Response.json({ id: context.user.id }),
      POST: ({ context }) => Response.json({ posted: context.user.id }),
    },
  },
});
