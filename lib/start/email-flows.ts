// The e-mail flows (password reset, e-mail verification) inside server functions: the client's
// address for their limits, a refusal as 429 with Retry-After, and the response headers a
// token-bearing request needs (Referrer-Policy: no-referrer, so the link never leaks to a third
// party; Cache-Control: no-store). The flows themselves are the core's (lib/flows).
import { StartGuardError, isStartGuardError } from 'start-guard';
import type { EmailVerification, PasswordReset, VerifiedEmail } from 'start-guard';
import { clientOf } from './client.js';
import type { AuthCore } from './core.js';
import { hasSessionCookie, readSession, replaceSession } from './identity.js';
import { sensitivePageHeaders } from './page-headers.js';
import type { RequestState } from './request-state.js';
import { refuse, refuseLimited, requestOf, requireCsrfSeen, server, storeError } from './respond.js';

// The password policy's refusals are the user's to fix (another password): a 400, and the link
// still works.
const POLICY_CODES = new Set(['ERR_PASSWORD_TOO_LONG', 'ERR_PASSWORD_TOO_SHORT', 'ERR_PASSWORD_EMPTY']);

async function begin(): Promise<{ request: Request; state: RequestState }> {
  const request = await requestOf();
  const state = await requireCsrfSeen(request);
  const s = await server();
  for (const [name, value] of Object.entries(sensitivePageHeaders()))
    s.setResponseHeader(name as never, value);
  return { request, state };
}

async function settle<T>(request: Request, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (!isStartGuardError(error)) throw error;
    if (POLICY_CODES.has(error.code)) {
      return refuse(undefined, request, new StartGuardError(error.code, error.message, { status: 400 }));
    }
    return refuse(undefined, request, error.status === undefined ? storeError(error) : error);
  }
}

export function passwordResetHelpers(core: AuthCore, resets: PasswordReset) {
  if (typeof resets !== 'object' || resets === null || typeof resets.requestReset !== 'function') {
    throw new TypeError('The "resets" argument must be the result of createPasswordReset()');
  }
  return {
    /** The same answer for every address ({ ok: true }); 429 with Retry-After when limited. */
    async request(identifier: unknown): Promise<{ ok: true }> {
      const { request, state } = await begin();
      const client = await clientOf(core, request, state);
      const answer = await settle(request, () => resets.requestReset(identifier, { client }));
      if (!answer.allowed) return refuseLimited(request, answer.retryAfterMs, 'too many requests');
      return { ok: true };
    },
    /** Whether the link still works (to show the new-password form). */
    async check(token: unknown): Promise<boolean> {
      const { request } = await begin();
      return settle(request, () => resets.checkReset(token));
    },
    /**
     * Sets the new password; false when the link is not (or no longer) valid. Every session of the
     * user ends, this browser's cookie is cleared, and no one is signed in.
     */
    async complete(token: unknown, newPassword: unknown): Promise<boolean> {
      const { request, state } = await begin();
      const client = await clientOf(core, request, state);
      const password = typeof newPassword === 'string' ? newPassword : '';
      const done = await settle(request, () => resets.completeReset(token, password, { client }));
      if (done === null) return false;
      if (hasSessionCookie(core, request)) {
        (await server()).appendResponseHeader('set-cookie', core.sessions.clearCookie());
      }
      replaceSession(core, state, null);
      return true;
    },
  };
}

export function emailVerificationHelpers(core: AuthCore, verification: EmailVerification) {
  if (
    typeof verification !== 'object' ||
    verification === null ||
    typeof verification.requestVerification !== 'function'
  ) {
    throw new TypeError('The "verification" argument must be the result of createEmailVerification()');
  }
  // The signed-in user's id (check and complete refuse another user's link), or undefined.
  async function sessionUserId(request: Request, state: RequestState): Promise<string | undefined> {
    const found = await settle(request, () => readSession(core, request, state));
    return found?.session.userId;
  }

  return {
    /** Queues the link to `user.email` ({ ok: true }); 429 with Retry-After when limited. */
    async request(user: { id: string; email: string }): Promise<{ ok: true }> {
      const { request, state } = await begin();
      const client = await clientOf(core, request, state);
      const answer = await settle(request, () => verification.requestVerification(user, { client }));
      if (!answer.allowed) return refuseLimited(request, answer.retryAfterMs, 'too many requests');
      return { ok: true };
    },
    /**
     * Whether `complete` would take the link now, without using it up: `{ userId, email }` or null,
     * under the same condition (a signed-in user's session refuses another user's link). An app
     * that does costly work before `complete` (a password hash) checks here first.
     */
    async check(token: unknown): Promise<VerifiedEmail | null> {
      const { request, state } = await begin();
      const userId = await sessionUserId(request, state);
      return settle(request, () =>
        verification.checkVerification(token, userId === undefined ? {} : { userId }),
      );
    },
    /**
     * Consumes the link: `{ userId, email }` (mark that address verified only if it is still the
     * user's) or null. When a user is signed in here, another user's link is refused.
     */
    async complete(token: unknown): Promise<VerifiedEmail | null> {
      const { request, state } = await begin();
      const client = await clientOf(core, request, state);
      const userId = await sessionUserId(request, state);
      return settle(request, () =>
        verification.completeVerification(token, userId === undefined ? { client } : { client, userId }),
      );
    },
  };
}
