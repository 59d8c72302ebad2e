// The account page. Changing the password needs a recent sign-in: when the server answers
// ERR_REAUTH_REQUIRED, the page asks for the current password (a new sign-in, new session id),
// then retries the change. A changed password ends every other session.
import { createFileRoute, useRouter } from '@tanstack/react-router';
import { useState } from 'react';
import { isStartGuardError } from 'start-guard';
import { changePassword, confirmPassword, signOut, signOutEverywhere } from '../../functions/account';
import { Field, Form } from '../../components/Form';

export const Route = createFileRoute('/_signedIn/account')({
  component: Account,
});

const time = (seconds: number) => new Date(seconds * 1000).toLocaleString();

function Account() {
  const { auth } = Route.useRouteContext();
  const router = useRouter();
  const [pending, setPending] = useState<string | null>(null); // the new password, while confirming
  const [done, setDone] = useState(false);

  async function change(password: string) {
    try {
      await changePassword({ data: { password } });
    } catch (error) {
      if (isStartGuardError(error, 'ERR_REAUTH_REQUIRED')) {
        setPending(password);
        return;
      }
      throw error;
    }
    setPending(null);
    setDone(true);
    await router.invalidate();
  }

  async function leave(everywhere: boolean) {
    await (everywhere ? signOutEverywhere() : signOut());
    await router.invalidate();
    await router.navigate({ to: '/login' });
  }

  return (
    <>
      <section className="card">
        <h1>Account</h1>
        <table>
          <tbody>
            <tr>
              <th>Name</th>
              <td>{auth.user.name}</td>
            </tr>
            <tr>
              <th>E-mail</th>
              <td>
                {auth.user.email} {auth.user.emailVerified ? '(confirmed)' : '(not confirmed)'}
              </td>
            </tr>
            <tr>
              <th>Signed in</th>
              <td>{time(auth.session.authTime)}</td>
            </tr>
            <tr>
              <th>Session ends</th>
              <td>
                {time(auth.session.idleExpiresAt)} if idle, {time(auth.session.expiresAt)} at the latest
                {auth.session.persistent ? ' (remembered on this device)' : ' (when the browser closes)'}
              </td>
            </tr>
          </tbody>
        </table>
      </section>

      <section className="card">
        <h2>Change your password</h2>
        {done && (
          <p className="notice" id="password-changed">
            Your password was changed. Every other session was signed out.
          </p>
        )}
        {pending === null ? (
          <Form id="change-password" submit="Change password" onSubmit={(v) => change(String(v.password))}>
            <Field
              label="New password (at least 8 characters)"
              name="password"
              type="password"
              autoComplete="new-password"
            />
          </Form>
        ) : (
          <Form
            id="step-up"
            submit="Confirm and change"
            onSubmit={async (v) => {
              await confirmPassword({ data: { password: String(v.current) } });
              await change(pending);
            }}
          >
            <p className="warning" id="step-up-prompt">
              For your security, enter your current password: your last sign-in is too long ago to change the
              password.
            </p>
            <Field label="Current password" name="current" type="password" autoComplete="current-password" />
          </Form>
        )}
      </section>

      <section className="card">
        <h2>Sessions</h2>
        <p>
          <button type="button" className="secondary" id="sign-out" onClick={() => leave(false)}>
            Sign out
          </button>{' '}
          <button type="button" className="secondary" id="sign-out-everywhere" onClick={() => leave(true)}>
            Sign out everywhere
          </button>
        </p>
      </section>
    </>
  );
}
