// INTERIM, until start-guard/start's flows land on main (branch `flows`): the calls the server
// functions make — auth.passwordSignIn, auth.signOut, auth.getSession, auth.clientAddress,
// auth.passwordReset(resets), auth.emailVerification(v) — written here over start-guard's core with
// the same names and answers, so that switching is `flows.` → `auth.` and deleting this file.
// Known gaps against the real ones: 'others' gives the caller a new absolute deadline, and reads
// are not memoized per request.
import {
  appendResponseHeader,
  getRequest,
  getRequestIP,
  setResponseHeader,
} from '@tanstack/react-start/server';
import {
  type EmailVerification,
  type PasswordReset,
  type Session,
  type LoginLimits,
  StartGuardError,
  clientAddress as coreClientAddress,
  normalizeIdentifier,
} from 'start-guard';
import { type SessionData, sessions } from '../auth';
import { publicUser } from '../users';
import { sensitivePageHeaders } from '../page-headers';
import type { User } from '../users';
import { revocationStore } from './accounts.server';
import { settings } from './config.server';
import { users } from './db.server';
import { limited, policyRefusal, refusal } from './respond.server';

function noStore() {
  setResponseHeader('cache-control', 'no-store');
}

async function current(): Promise<Session<SessionData> | null> {
  return (await sessions.read(getRequest()))?.session ?? null;
}

export const flows = {
  clientAddress() {
    const request = getRequest();
    return coreClientAddress(
      { remoteAddress: getRequestIP(), headers: request.headers },
      { trustProxy: settings().trustProxy },
    );
  },

  async signIn(
    userId: string,
    data: SessionData,
    options: { authTime?: number; persistent?: boolean } = {},
  ): Promise<Session<SessionData>> {
    const old = await current();
    if (old !== null) await sessions.destroy(old);
    const { session, setCookie } = sessions.create(userId, data, options);
    appendResponseHeader('set-cookie', setCookie);
    noStore();
    return session;
  },

  async signOut({ scope = 'this' }: { scope?: 'this' | 'others' | 'all' } = {}): Promise<void> {
    noStore();
    const session = await current();
    if (session === null) {
      if (scope === 'others') throw refusal(new StartGuardError('ERR_UNAUTHENTICATED', 'sign-in required'));
      return;
    }
    if (scope === 'this') {
      appendResponseHeader('set-cookie', await sessions.destroy(session));
      return;
    }
    const keepUntil = Math.floor(Date.now() / 1000) + 400 * 86400;
    await revocationStore().revokeUserBefore(session.userId, Date.now(), keepUntil);
    if (scope === 'all') {
      appendResponseHeader('set-cookie', await sessions.destroy(session));
      return;
    }
    await new Promise((r) => setTimeout(r, 2)); // created after the watermark
    const next = sessions.create(session.userId, session.data, {
      authTime: session.authTime,
      persistent: session.persistent,
    });
    appendResponseHeader('set-cookie', next.setCookie);
  },

  async getSession() {
    const session = await current();
    if (session === null) return null;
    const user = users.byId(session.userId);
    if (user === null) return null;
    const { data: _data, ...pub } = session;
    return { session: pub, user: publicUser(user) };
  },

  async passwordSignIn(options: {
    identifier: unknown;
    password: unknown;
    findUser: (identifier: string) => User | null;
    saveHash: (user: User, hash: string) => void;
    hasher: {
      verify(stored: string | null, password: string): Promise<boolean>;
      needsRehash(stored: string): boolean;
      hash(password: string): Promise<string>;
    };
    limits: LoginLimits;
    sessionData: SessionData;
    persistent?: boolean;
  }): Promise<{ user: Omit<User, 'passwordHash'> }> {
    const { hasher } = options;
    const attempt = await options.limits.check(options.identifier, flows.clientAddress());
    if (!attempt.allowed) throw limited(attempt.retryAfterMs);
    const id = normalizeIdentifier(options.identifier);
    const user = id === null ? null : options.findUser(id);
    const password = typeof options.password === 'string' ? options.password : '';
    const valid = await hasher.verify(user?.passwordHash ?? null, password);
    if (!valid || user === null) {
      throw refusal(new StartGuardError('ERR_INVALID_CREDENTIALS', 'wrong e-mail or password'));
    }
    await attempt.succeeded();
    if (hasher.needsRehash(user.passwordHash)) options.saveHash(user, await hasher.hash(password));
    await flows.signIn(user.id, options.sessionData, { persistent: options.persistent === true });
    const { passwordHash: _hash, ...rest } = user;
    return { user: rest };
  },

  passwordReset(resets: PasswordReset) {
    return {
      async request(identifier: unknown) {
        for (const [k, v] of Object.entries(sensitivePageHeaders())) setResponseHeader(k as never, v);
        const answer = await resets.requestReset(identifier, { client: flows.clientAddress() });
        if (!answer.allowed) throw limited(answer.retryAfterMs);
        return { ok: true as const };
      },
      async check(token: unknown) {
        for (const [k, v] of Object.entries(sensitivePageHeaders())) setResponseHeader(k as never, v);
        return resets.checkReset(token);
      },
      async complete(token: unknown, password: unknown) {
        for (const [k, v] of Object.entries(sensitivePageHeaders())) setResponseHeader(k as never, v);
        let done;
        try {
          done = await resets.completeReset(token, typeof password === 'string' ? password : '');
        } catch (error) {
          throw policyRefusal(error);
        }
        if (done === null) return false;
        appendResponseHeader('set-cookie', sessions.clearCookie());
        return true;
      },
    };
  },

  emailVerification(verification: EmailVerification) {
    return {
      async complete(token: unknown) {
        for (const [k, v] of Object.entries(sensitivePageHeaders())) setResponseHeader(k as never, v);
        const session = await current();
        return verification.completeVerification(token, session === null ? {} : { userId: session.userId });
      },
    };
  },
};
