// The signed-in part of the app. This redirect is for people: it protects the pages, not the data.
// The data comes from server functions that each check the session themselves.
import { Outlet, createFileRoute, redirect } from '@tanstack/react-router';

export const Route = createFileRoute('/_signedIn')({
  beforeLoad: ({ context, location }) => {
    if (!context.auth) throw redirect({ to: '/login', search: { returnTo: location.href } });
    return { auth: context.auth };
  },
  component: () => <Outlet />,
});
