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
};

const server = import.meta.env.SSR;

export const sessions = createSessionManager<{ theme: string }>({
  secrets: server ? process.env.SESSION_SECRET! : '',
  revocation: server ? createFileRevocationStore({ path: process.env.REVOCATION_PATH! }) : undefined,
});

export const auth = createAuth({
  sessions,
  loadUser: async (session) => users[session.userId] ?? null,
  onUnauthenticated: '/login',
});

// The same sessions, with onUnauthenticated: 'error', for the SSR error-page case.
export const strictAuth = createAuth({
  sessions,
  loadUser: async (session) => users[session.userId] ?? null,
});

export const authMiddleware = auth.middleware;
