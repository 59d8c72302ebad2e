// The app's auth module. Route files import it (through the server functions), so it is evaluated
// in the browser too: start-guard's constructors are inert there, and what touches the server's
// files sits behind createServerOnlyFn, which Start's compiler strips from client code.
import { createServerOnlyFn } from '@tanstack/react-start';
import { createFileRevocationStore, createSessionManager } from 'start-guard';
import { createAuth } from 'start-guard/start';
import { logEvent } from './log';
import { useRevocationStore } from './server/accounts.server';
import { settings } from './server/config.server';
import { checkMailer } from './server/mailer.server';
import { users } from './server/db.server';
import { publicUser } from './users';

export type SessionData = Record<string, never>;

const serverSide = createServerOnlyFn(() => {
  const { dataDir, sessionSecret, trustProxy, stepUpSeconds } = settings();
  checkMailer(); // no mailer (outside the demo): the app refuses to run
  // Revocations in an append-only file, synced before a sign-out answers: a cookie captured before
  // sign-out stays refused after a restart. (Several instances: start-guard/redis.)
  const revocation = createFileRevocationStore({ path: `${dataDir}/revocations` });
  useRevocationStore(revocation);
  return { secret: sessionSecret, revocation, trustProxy, stepUpSeconds };
});
const server = import.meta.env.SSR ? serverSide() : undefined;

export const sessions = createSessionManager<SessionData>({
  secrets: server?.secret ?? '',
  revocation: server?.revocation,
  // Defaults: 30 minutes idle, 12 hours absolute, a browser-session cookie (__Host-session,
  // HttpOnly, Secure, SameSite=Lax) unless "remember me" asks for a persistent one.
  onEvent: logEvent,
});

const loadUser = createServerOnlyFn((userId: string) => users.byId(userId));

export const auth = createAuth({
  sessions,
  // The only source of context.user: a deleted user is signed out on the next request.
  loadUser: (session) => loadUser(session.userId),
  toClient: (user) => publicUser(user),
  trustProxy: server?.trustProxy,
  onEvent: logEvent,
  onUnauthenticated: '/login',
});

export const authMiddleware = auth.middleware;

/** Changing the password needs a sign-in this recent (STEP_UP_SECONDS, default 5 minutes). */
export const requireRecentSignIn = auth.requireFresh({ withinSeconds: server?.stepUpSeconds ?? 300 });
export const requireAdmin = auth.requireRole('admin');
