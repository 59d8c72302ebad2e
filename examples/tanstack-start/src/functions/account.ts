// Signing up, in and out, and the account's password. The public ones are listed in src/start.ts;
// every other function here carries start-guard's middleware as well as the global protect: 'all'
// (the double guard: removing either one still leaves the function closed).
import { createServerFn } from '@tanstack/react-start';
import { auth, authMiddleware, requireRecentSignIn } from '../auth';
import { accounts, hasher, ready, register as registerAccount } from '../server/accounts.server';
import { users } from '../server/db.server';
import { limited, policyRefusal } from '../server/respond.server';
import { fields, flag } from './input';

const resets = () => auth.passwordReset(accounts().resets);

/** A new session for the right password; 401 or 429 otherwise (limited per account and client). */
function signInWithPassword(identifier: string, password: string, persistent: boolean) {
  return auth.passwordSignIn({
    identifier,
    password,
    findUser: (email) => users.byEmail(email),
    saveHash: (user, hash) => users.setPasswordHash(user.id, hash),
    hasher,
    limits: accounts().signInLimits,
    sessionData: {},
    persistent,
  });
}

/**
 * Public. The answer is "check your e-mail" whether or not the address is taken: the same
 * limits, the same password hash and the same response either way; the mail differs.
 */
export const register = createServerFn({ method: 'POST' })
  .validator((data: { email: string; name: string; password: string }) =>
    fields(data, { email: 320, name: 200, password: 4096 }),
  )
  .handler(async ({ data }) => {
    await ready();
    let verdict;
    try {
      verdict = await registerAccount(data, await auth.clientAddress());
    } catch (error) {
      throw policyRefusal(error);
    }
    if (!verdict.allowed) throw limited(verdict.retryAfterMs);
    return { ok: true as const };
  });

/** Public. Consumes the link from the verification mail. */
export const verifyEmail = createServerFn({ method: 'POST' })
  .validator((data: { token: string }) => fields(data, { token: 200 }))
  .handler(async ({ data }) => {
    const verified = await auth.emailVerification(accounts().verification).complete(data.token);
    if (verified === null) return { verified: false };
    return { verified: users.markVerified(verified.userId, verified.email) };
  });

/**
 * Public. Rate limited per account and per client; an unknown address and a wrong password get
 * the same answer (401 ERR_INVALID_CREDENTIALS) after the same work.
 */
export const signIn = createServerFn({ method: 'POST' })
  .validator((data: { email: string; password: string; remember?: boolean }) => ({
    ...fields(data, { email: 320, password: 4096 }),
    remember: flag(data, 'remember'),
  }))
  .handler(async ({ data }) => {
    await ready();
    // "Remember me": a cookie that outlives the browser session.
    await signInWithPassword(data.email, data.password, data.remember);
    return { ok: true as const };
  });

/** Public (a sign-out without a session only clears the cookie). */
export const signOut = createServerFn({ method: 'POST' }).handler(async () => {
  await auth.signOut({ scope: 'this' });
  return { ok: true as const };
});

/** Every session of the user ends, on every device. */
export const signOutEverywhere = createServerFn({ method: 'POST' })
  .middleware([authMiddleware])
  .handler(async () => {
    await auth.signOut({ scope: 'all' });
    return { ok: true as const };
  });

/**
 * The step-up: the password again, for a fresh session (new id, new authTime) that
 * requireRecentSignIn accepts. Limited like any sign-in.
 */
export const confirmPassword = createServerFn({ method: 'POST' })
  .middleware([authMiddleware])
  .validator((data: { password: string }) => fields(data, { password: 4096 }))
  .handler(async ({ data, context }) => {
    await signInWithPassword(context.user.email, data.password, context.session.persistent);
    return { ok: true as const };
  });

/**
 * Needs a recent sign-in (403 ERR_REAUTH_REQUIRED otherwise: the page asks for the password and
 * retries). Sets the new hash, then ends every other session and moves this one to a new id.
 */
export const changePassword = createServerFn({ method: 'POST' })
  .middleware([requireRecentSignIn])
  .validator((data: { password: string }) => fields(data, { password: 4096 }))
  .handler(async ({ data, context }) => {
    try {
      users.setPasswordHash(context.user.id, await hasher.hash(data.password));
    } catch (error) {
      throw policyRefusal(error);
    }
    await auth.signOut({ scope: 'others' });
    return { ok: true as const };
  });

/** Public. The same answer for every address; the mail (if any) goes after it. */
export const requestPasswordReset = createServerFn({ method: 'POST' })
  .validator((data: { email: string }) => fields(data, { email: 320 }))
  .handler(({ data }) => resets().request(data.email));

/** Public. Whether a reset link still works (the page shows the form, or says it expired). */
export const checkResetLink = createServerFn()
  .validator((data: { token: string }) => fields(data, { token: 200 }))
  .handler(({ data }) => resets().check(data.token));

/**
 * Public. Sets the new password and ends every session of the user; signs no one in. False for a
 * used, expired or unknown link.
 */
export const completePasswordReset = createServerFn({ method: 'POST' })
  .validator((data: { token: string; password: string }) => fields(data, { token: 200, password: 4096 }))
  .handler(({ data }) => resets().complete(data.token, data.password));
