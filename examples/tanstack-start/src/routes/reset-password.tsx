// The link from the reset mail: the token is in the URL, so the page sends no Referer and is not
// cached. Completing ends every session of the account and signs no one in.
import { Link, createFileRoute, useRouter } from '@tanstack/react-router';
import { checkResetLink, completePasswordReset } from '../functions/account';
import { Field, Form } from '../components/Form';
import { sensitivePageHeaders } from 'start-guard/start';

export const Route = createFileRoute('/reset-password')({
  headers: sensitivePageHeaders,
  head: () => ({ meta: [{ name: 'referrer', content: 'no-referrer' }] }),
  validateSearch: (search: Record<string, unknown>) => ({ token: String(search.token ?? '') }),
  loaderDeps: ({ search }) => ({ token: search.token }),
  loader: ({ deps }) => checkResetLink({ data: { token: deps.token } }),
  component: ResetPassword,
});

function ResetPassword() {
  const valid = Route.useLoaderData();
  const { token } = Route.useSearch();
  const router = useRouter();
  if (!valid) {
    return (
      <section className="card">
        <h1>Choose a new password</h1>
        <p className="error" id="link-invalid">
          This link has expired or was already used. <Link to="/forgot-password">Ask for a new one.</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="card">
      <h1>Choose a new password</h1>
      <Form
        id="reset"
        submit="Set the new password"
        onSubmit={async (v) => {
          const done = await completePasswordReset({ data: { token, password: String(v.password) } });
          if (!done) throw new Error('link no longer valid');
          await router.invalidate();
          await router.navigate({ to: '/login', search: { notice: 'reset' } });
        }}
      >
        <Field
          label="New password (at least 8 characters)"
          name="password"
          type="password"
          autoComplete="new-password"
        />
      </Form>
    </section>
  );
}
