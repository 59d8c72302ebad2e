import { Link, createFileRoute } from '@tanstack/react-router';
import { useState } from 'react';
import { register } from '../functions/account';
import { Field, Form } from '../components/Form';

export const Route = createFileRoute('/register')({
  component: Register,
});

function Register() {
  const [sentTo, setSentTo] = useState<string | null>(null);
  if (sentTo !== null) {
    // The same answer whether or not the address already has an account.
    return (
      <section className="card">
        <h1>Check your e-mail</h1>
        <p className="notice" id="check-mail">
          We sent a message to <strong>{sentTo}</strong> with what to do next.
        </p>
        <p>
          <Link to="/login">Sign in</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="card">
      <h1>Register</h1>
      <Form
        id="register"
        submit="Send me the link"
        onSubmit={async (v) => {
          const email = String(v.email);
          await register({ data: { email } });
          setSentTo(email);
        }}
      >
        <p>Your e-mail address: we send you a link, and you choose your password on its page.</p>
        <Field label="E-mail address" name="email" type="email" autoComplete="email" />
      </Form>
    </section>
  );
}
