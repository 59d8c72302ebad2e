import { Link, createFileRoute } from '@tanstack/react-router';

export const Route = createFileRoute('/')({
  component: Home,
});

function Home() {
  const { auth } = Route.useRouteContext();
  return (
    <section className="card">
      <h1>start-guard example</h1>
      <p>
        A TanStack Start app whose every server function is closed unless it is listed as public: sessions in
        sealed cookies, Argon2id passwords, rate-limited sign-in, password reset and e-mail verification
        links, step-up before a password change, and sign-out that holds after a restart.
      </p>
      {auth ? (
        <p>
          Signed in as <strong>{auth.user.name}</strong>. Go to your <Link to="/dashboard">dashboard</Link>.
        </p>
      ) : (
        <p>
          <Link to="/login">Sign in</Link> with a demo account (the server printed them at start), or{' '}
          <Link to="/register">register</Link>: the mail with your sign-up link appears in the server's log
          and in <code>.data/mail.mbox</code>.
        </p>
      )}
    </section>
  );
}
