import { Link, createFileRoute, useRouter } from '@tanstack/react-router';
import { signIn } from '../functions/account';
import { Field, Form } from '../components/Form';

const NOTICES: Record<string, string> = {
  reset: 'Your password was changed. Sign in with the new one.',
  created: 'Your account is ready. Sign in with your new password.',
};

// Only a path of this app: a returnTo pointing elsewhere would make the sign-in page an open
// redirect (OWASP Unvalidated Redirects).
function localPath(value: unknown): string | undefined {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : undefined;
}

export const Route = createFileRoute('/login')({
  validateSearch: (search: Record<string, unknown>): { returnTo?: string; notice?: string } => ({
    returnTo: localPath(search.returnTo),
    notice: typeof search.notice === 'string' ? search.notice : undefined,
  }),
  component: Login,
});

function Login() {
  const { returnTo, notice } = Route.useSearch();
  const router = useRouter();
  return (
    <section className="card">
      <h1>Sign in</h1>
      {notice && NOTICES[notice] && <p className="notice">{NOTICES[notice]}</p>}
      {!notice && returnTo && <p className="warning">Sign in to see that page.</p>}
      <Form
        id="sign-in"
        submit="Sign in"
        onSubmit={async (v) => {
          await signIn({
            data: { email: String(v.email), password: String(v.password), remember: v.remember === true },
          });
          await router.invalidate();
          await router.navigate({ href: returnTo ?? '/dashboard' });
        }}
      >
        <Field label="E-mail address" name="email" type="email" autoComplete="username" />
        <Field label="Password" name="password" type="password" autoComplete="current-password" />
        <label className="inline">
          <input type="checkbox" name="remember" /> Remember me on this device
        </label>
      </Form>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link> · <Link to="/register">Register</Link>
      </p>
    </section>
  );
}
