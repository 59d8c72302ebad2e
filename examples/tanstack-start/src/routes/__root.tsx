/// <reference types="vite/client" />
import type { ReactNode } from 'react';
import {
  HeadContent,
  Link,
  Outlet,
  Scripts,
  createRootRoute,
  useRouteContext,
  useRouter,
} from '@tanstack/react-router';
import { signOut } from '../functions/account';
import { getSession } from '../functions/session';
import css from '../styles.css?url';

export const Route = createRootRoute({
  // The session as the browser may know it (getSession's toClient), for the menu and the page
  // guards. The data itself stays behind each server function's own check.
  beforeLoad: async () => ({ auth: await getSession() }),
  head: () => ({
    meta: [
      { charSet: 'utf-8' },
      { name: 'viewport', content: 'width=device-width, initial-scale=1' },
      { title: 'start-guard example' },
    ],
    links: [
      { rel: 'stylesheet', href: css },
      { rel: 'icon', href: 'data:,' },
    ],
  }),
  component: () => (
    <Document>
      <Menu />
      <main>
        <Outlet />
      </main>
    </Document>
  ),
  notFoundComponent: () => (
    <section className="card">
      <h1>Not found</h1>
      <Link to="/">Home</Link>
    </section>
  ),
});

function Menu() {
  const { auth } = useRouteContext({ from: '__root__' });
  const router = useRouter();
  async function out() {
    await signOut();
    await router.invalidate();
    await router.navigate({ to: '/' });
  }
  return (
    <header>
      <Link to="/" activeOptions={{ exact: true }} activeProps={{ className: 'active' }}>
        start-guard example
      </Link>
      {auth && (
        <>
          <Link to="/dashboard" activeProps={{ className: 'active' }}>
            Dashboard
          </Link>
          <Link to="/account" activeProps={{ className: 'active' }}>
            Account
          </Link>
        </>
      )}
      {auth?.user.roles.includes('admin') && (
        <Link to="/admin" activeProps={{ className: 'active' }}>
          Admin
        </Link>
      )}
      <span className="who">
        {auth ? (
          <>
            <span id="signed-in-as">{auth.user.email}</span>
            <button type="button" className="secondary" onClick={out}>
              Sign out
            </button>
          </>
        ) : (
          <>
            <Link to="/login">Sign in</Link>
            <Link to="/register">Register</Link>
          </>
        )}
      </span>
    </header>
  );
}

function Document({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <HeadContent />
      </head>
      <body>
        {children}
        <Scripts />
      </body>
    </html>
  );
}
