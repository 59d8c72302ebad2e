// The sign-in flows as an app writes them: each a server function of its own that calls
// start-guard/start's flows (signIn, passwordSignIn, updateSession, signOut, getSession, the
// password reset and e-mail verification helpers). The public ones are listed in src/start.ts.
import { createServerFn } from '@tanstack/react-start';
import { auth, authMiddleware } from '../auth';
import { accounts } from './accounts';

// Signs in as anyone: what an app does after its own check (a passkey, an OAuth callback).
export const signInAs = createServerFn({ method: 'POST' })
  .validator((data: { userId: string; persistent?: boolean }) => data)
  .handler(async ({ data }) => {
    const session = await auth.signIn(data.userId, { theme: 'light' }, { persistent: data.persistent });
    // Within the same request, getSession already sees the new session.
    const view = await auth.getSession();
    return { sessionId: session.id, persistent: session.persistent, view };
  });

export const passwordLogin = createServerFn({ method: 'POST' })
  .validator(
    (data: { identifier: string; password: string; persistent?: boolean; smallClientBucket?: boolean }) =>
      data,
  )
  .handler(async ({ data }) => {
    const a = await accounts();
    const { user, session } = await auth.passwordSignIn({
      identifier: data.identifier,
      password: data.password,
      findUser: a.findUser,
      saveHash: a.saveHash,
      // No hasher: start-guard's default (OWASP Argon2id), the one the accounts were hashed with.
      limits: data.smallClientBucket ? a.smallClientLoginLimits : a.loginLimits,
      sessionData: { theme: 'dark' },
      persistent: data.persistent,
    });
    return { userId: user.id, fields: Object.keys(user).sort(), sessionId: session.id };
  });

export const setTheme = createServerFn({ method: 'POST' })
  .middleware([authMiddleware])
  .validator((data: { theme: string }) => data)
  .handler(async ({ data }) => {
    const session = await auth.updateSession({ theme: data.theme });
    return { sessionId: session.id, theme: session.data.theme };
  });

export const signOut = createServerFn({ method: 'POST' })
  .validator((data: { scope?: 'this' | 'others' | 'all' } | undefined) => data ?? {})
  .handler(async ({ data }) => {
    await auth.signOut({ scope: data.scope });
    return { view: await auth.getSession() };
  });

// What a beforeLoad calls: public, null without a session.
export const getSession = createServerFn().handler(async () => auth.getSession());

// The session's data as the server sees it (guarded by protect: 'all').
export const sessionData = createServerFn()
  .middleware([authMiddleware])
  .handler(async ({ context }) => ({
    sessionId: context.session.id,
    data: context.session.data,
    authTime: context.session.authTime,
  }));

export const clientKey = createServerFn().handler(async () => auth.clientAddress());

// ---- test-only windows into the app's state (public) ----------------------------------------
export const storedHash = createServerFn()
  .validator((data: { userId: string }) => data)
  .handler(async ({ data }) => (await accounts()).table.get(data.userId)?.passwordHash?.slice(0, 12) ?? null);

export const outbox = createServerFn().handler(async () => {
  const a = await accounts();
  await Promise.all([a.resets.idle(), a.verification.idle()]);
  return a.outbox;
});

// ---- password reset and e-mail verification ---------------------------------------------------
export const requestReset = createServerFn({ method: 'POST' })
  .validator((data: { email: string }) => data)
  .handler(async ({ data }) => auth.passwordReset((await accounts()).resets).request(data.email));

export const checkReset = createServerFn()
  .validator((data: { token: string }) => data)
  .handler(async ({ data }) => auth.passwordReset((await accounts()).resets).check(data.token));

export const completeReset = createServerFn({ method: 'POST' })
  .validator((data: { token: string; password: string }) => data)
  .handler(async ({ data }) =>
    auth.passwordReset((await accounts()).resets).complete(data.token, data.password),
  );

export const requestVerification = createServerFn({ method: 'POST' })
  .middleware([authMiddleware])
  .handler(async ({ context }) => {
    const a = await accounts();
    const email = a.table.get(context.user.id)!.email;
    return auth.emailVerification(a.verification).request({ id: context.user.id, email });
  });

export const checkVerification = createServerFn()
  .validator((data: { token: string }) => data)
  .handler(async ({ data }) => auth.emailVerification((await accounts()).verification).check(data.token));

export const completeVerification = createServerFn({ method: 'POST' })
  .validator((data: { token: string }) => data)
  .handler(async ({ data }) => auth.emailVerification((await accounts()).verification).complete(data.token));
