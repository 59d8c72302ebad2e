// The link from the sign-up mail: the new user chooses a password here, and only then is the
// account made. The token is in the URL, so the page sends no Referer and is not cached. Using the
// link takes a submit (a POST), not the page load: mail scanners open links, and one must not use
// up the token.
import { Link, createFileRoute, useRouter } from '@tanstack/react-router';
import { useState } from 'react';
import { createAccount } from '../functions/account';
import { Field, Form } from '../components/Form';
import { sensitivePageHeaders } from 'start-guard/start';

export const Route = createFileRoute('/create-account')({
  headers: sensitivePageHeaders,
  head: () => ({ meta: [{ name: 'referrer', content: 'no-referrer' }] }),
  validateSearch: (search: Record<string, unknown>) => ({ token: String(search.token ?? '') }),
  component: CreateAccount,
});

function CreateAccount() {
  const { token } = Route.useSearch();
  const router = useRouter();
  const [refused, setRefused] = useState<'link' | 'taken' | null>(null);
  return (
    <section className="card">
      <h1>Create your account</h1>
      {refused === null && (
        <Form
          id="create-account"
          submit="Create account"
          onSubmit={async (v) => {
            const r = await createAccount({
              data: { token, name: String(v.name), password: String(v.password) },
            });
            if (!r.created) return setRefused(r.reason);
            await router.navigate({ to: '/login', search: { notice: 'created' } });
          }}
        >
          <Field label="Name" name="name" autoComplete="name" />
          <Field
            label="Password (at least 8 characters)"
            name="password"
            type="password"
            autoComplete="new-password"
          />
        </Form>
      )}
      {refused === 'link' && (
        <p className="error" id="link-invalid">
          This link has expired or was already used. <Link to="/register">Register again</Link> for a new one.
          (Signed in to another account? Sign out first.)
        </p>
      )}
      {refused === 'taken' && (
        <p className="error" id="address-taken">
          This address already has an account. <Link to="/login">Sign in</Link>, or{' '}
          <Link to="/forgot-password">choose a new password</Link>.
        </p>
      )}
    </section>
  );
}
