// An unguarded server route: its POST still goes through start-guard's CSRF check.
import { createFileRoute } from '@tanstack/react-router';

export const Route = createFileRoute('/api/open')({
  server: {
    handlers: { GET: () => Response.json({ open: true }), POST: () => Response.json({ open: 'post' }) },
  },
});
