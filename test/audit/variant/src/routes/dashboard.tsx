import { createFileRoute, redirect } from '@tanstack/react-router';
import { currentUserId, dashboardStats } from '../lib/dashboard';

export const Route = createFileRoute('/dashboard')({
  beforeLoad: async () => {
    if ((await currentUserId()) === null) throw redirect({ to: '/login' });
  },
  loader: () => dashboardStats(),
  component: function Dashboard() {
    const stats = Route.useLoaderData();
    return <h1>Revenue {stats.revenue}</h1>;
  },
});
