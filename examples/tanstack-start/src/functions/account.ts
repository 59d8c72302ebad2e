// Signing up, in and out, and the account's password. The public ones are listed in src/start.ts;
// every other function here carries start-guard's middleware as well as the global protect: 'all'
// (the double guard: removing either one still leaves the function closed).
import { createServerFn } from '@tanstack/react-start';
import { auth, authMiddleware, requireRecentSignIn } from '../auth';
import { accounts, hasher, ready, register as registerAccount, signupId } from '../server/accounts.server';
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
 * Public. The address only; the answer is "check your e-mail" whether or not it is taken (the same
 * limits, the same work, the same response); the mail differs, and only a new address gets a link.
 */
export const register = createServerFn({ method: 'POST' })
  .validator((data: { email: string }) => fields(data, { email: 320 }))
  .handler(async ({ data }) => {
    await ready();
    const verdict = await registerAccount(data, await auth.clientAddress());
    if (!verdict.allowed) throw limited(verdict.retryAfterMs);
    return { ok: true as const };
  });

// The sign-up links being turned into an account right now (by their address's signup id): a copy
// of the request sent meanwhile is refused before it hashes. One process: the example runs one.
const creating = new Set<string>();

/**
 * Public. The link from the sign-up mail, with the password the new user chose: the account is made
 * now, its address verified (the link proved it is read). `link`: the link is not (or no longer)
 * valid; `taken`: the address got an account in the meantime.
 */
export const createAccount = createServerFn({ method: 'POST' })
  .validator((data: { token: string; name: string; password: string }) =>
    fields(data, { token: 200, name: 200, password: 4096 }),
  )
  .handler(async ({ data }): Promise<{ created: true } | { created: false; reason: 'link' | 'taken' }> => {
    // Before any hash: the client's limit; then the link, under the condition complete() applies
    // (a signed-in caller's session refuses a sign-up link, which is no user's yet), so a made-up,
    // used or refused link costs no Argon2 hash; then one request per link at a time. The hash's
    // policy refusal (a 400) leaves the link usable; then the link is used up.
    const verdict = await accounts().createAccountLimit.take((await auth.clientAddress()).limitKey);
    if (!verdict.allowed) throw limited(verdict.retryAfterMs);
    const signups = auth.emailVerification(accounts().signups);
    const link = await signups.check(data.token);
    if (link === null || link.userId !== signupId(link.email) || creating.has(link.userId)) {
      return { created: false, reason: 'link' };
    }
    creating.add(link.userId);
    try {
      let passwordHash;
      try {
        passwordHash = await hasher.hash(data.password);
      } catch (error) {
        throw policyRefusal(error);
      }
      const verified = await signups.complete(data.token);
      if (verified === null || verified.userId !== signupId(verified.email)) {
        return { created: false, reason: 'link' };
      }
      const name = data.name.trim().slice(0, 80) || verified.email.split('@')[0]!;
      const user = users.insert({ email: verified.email, name, passwordHash });
      if (user === null) return { created: false, reason: 'taken' };
      users.markVerified(user.id, verified.email);
      return { created: true };
    } finally {
      creating.delete(link.userId);
    }
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
