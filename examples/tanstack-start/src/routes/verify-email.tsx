// The link from the confirmation mail. Confirming takes a click (a POST), not the page load: mail
// scanners open links, and one must not use up the token.
import { Link, createFileRoute, useRouter } from '@tanstack/react-router';
import { useState } from 'react';
import { verifyEmail } from '../functions/account';
import { Form } from '../components/Form';
import { sensitivePageHeaders } from 'start-guard/start';

export const Route = createFileRoute('/verify-email')({
  headers: sensitivePageHeaders,
  head: () => ({ meta: [{ name: 'referrer', content: 'no-referrer' }] }),
  validateSearch: (search: Record<string, unknown>) => ({ token: String(search.token ?? '') }),
  component: VerifyEmail,
});

function VerifyEmail() {
  const { token } = Route.useSearch();
  const router = useRouter();
  const [result, setResult] = useState<boolean | null>(null);
  return (
    <section className="card">
      <h1>Confirm your e-mail address</h1>
      {result === null && (
        <Form
          id="verify"
          submit="Confirm my address"
          onSubmit={async () => {
            const r = await verifyEmail({ data: { token } });
            setResult(r.verified);
            await router.invalidate();
          }}
        >
          <p>One click, and your address is confirmed.</p>
        </Form>
      )}
      {result === true && (
        <p className="notice" id="verified">
          Your address is confirmed. <Link to="/login">Sign in</Link>
        </p>
      )}
      {result === false && (
        <p className="error" id="verify-failed">
          This link has expired or was already used.
        </p>
      )}
    </section>
  );
}
