import { createFileRoute } from '@tanstack/react-router';
import { useState } from 'react';
import { requestPasswordReset } from '../functions/account';
import { Field, Form } from '../components/Form';

export const Route = createFileRoute('/forgot-password')({
  component: ForgotPassword,
});

function ForgotPassword() {
  const [sentTo, setSentTo] = useState<string | null>(null);
  return (
    <section className="card">
      <h1>Forgot your password?</h1>
      {sentTo !== null ? (
        // The same answer for every address, with an account or not.
        <p className="notice" id="reset-sent">
          If <strong>{sentTo}</strong> has an account, we sent it a link to choose a new password. The link
          works for 30 minutes.
        </p>
      ) : (
        <Form
          id="forgot"
          submit="Send me a link"
          onSubmit={async (v) => {
            await requestPasswordReset({ data: { email: String(v.email) } });
            setSentTo(String(v.email));
          }}
        >
          <Field label="E-mail address" name="email" type="email" autoComplete="username" />
        </Form>
      )}
    </section>
  );
}
