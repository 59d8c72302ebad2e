// Exempt from the CSRF check (csrf.exempt): a webhook authenticates by other means.
import { createFileRoute } from '@tanstack/react-router';

export const Route = createFileRoute('/api/webhook')({
  server: { handlers: { POST: () => Response.json({ received: true }) } },
});
