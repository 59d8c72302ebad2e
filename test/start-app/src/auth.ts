// The app's auth module, imported by route files (so it is evaluated in the browser as well).
import { createFileRevocationStore, createSessionManager } from 'start-guard';
import { createAuth } from 'start-guard/start';

export interface User {
  id: string;
  name: string;
  roles: string[];
}

// Test users; loadUser is the only source of context.user (a deleted user reads as signed out).
const users: Record<string, User> = {
  alice: { id: 'alice', name: 'Alice', roles: ['admin'] },
  bob: { id: 'bob', name: 'Bob', roles: ['member'] },
  carol: { id: 'carol', name: 'Carol', roles: ['member'] },
  dave: { id: 'dave', name: 'Dave', roles: ['member'] },
};

const server = import.meta.env.SSR;

export const revocation = server
  ? createFileRevocationStore({ path: process.env.REVOCATION_PATH! })
  : undefined;

export const sessions = createSessionManager<{ theme: string }>({
  secrets: server ? process.env.SESSION_SECRET! : '',
  revocation,
});

// The old iron-sealed cookie (iron-session, or Start's removed useSession) read until MIGRATE_UNTIL.
const migrate = {
  iron: {
    password: server ? process.env.IRON_PASSWORD! : '',
    cookieName: 'start',
    ttlSeconds: 14 * 24 * 3600,
    until: server ? Number(process.env.MIGRATE_UNTIL) : 0,
  },
};

export const auth = createAuth({
  sessions,
  loadUser: async (session) => users[session.userId] ?? null,
  // What getSession sends to the browser: the name and the roles, nothing else of the user.
  toClient: (user) => ({ name: user.name, roles: user.roles }),
  // The test client reaches the server over loopback: it is the "proxy", and X-Forwarded-For
  // names the client (one address per virtual client in the tests).
  trustProxy: ['127.0.0.1', '::1'],
  onUnauthenticated: '/login',
  migrate,
});

// The same sessions, with onUnauthenticated: 'error', for the SSR error-page case.
export const strictAuth = createAuth({
  sessions,
  loadUser: async (session) => users[session.userId] ?? null,
});

export const authMiddleware = auth.middleware;
