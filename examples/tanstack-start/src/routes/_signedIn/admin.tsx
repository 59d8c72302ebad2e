import { createFileRoute } from '@tanstack/react-router';
import { isStartGuardError } from 'start-guard';
import { adminOverview } from '../../functions/admin';

export const Route = createFileRoute('/_signedIn/admin')({
  loader: () => adminOverview(),
  errorComponent: ({ error }) => (
    <section className="card">
      <h1>Admin</h1>
      <p className="error" id="admin-refused">
        {isStartGuardError(error, 'ERR_FORBIDDEN')
          ? 'This page is for admins only.'
          : 'Something went wrong.'}
      </p>
    </section>
  ),
  component: Admin,
});

function Admin() {
  const rows = Route.useLoaderData();
  return (
    <section className="card">
      <h1>Admin</h1>
      <p>Every account. Only a session whose user has the admin role gets this list from the server.</p>
      <table id="users">
        <thead>
          <tr>
            <th>Name</th>
            <th>E-mail</th>
            <th>Roles</th>
            <th>Confirmed</th>
            <th>Notes</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((u) => (
            <tr key={u.email}>
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td>{u.roles.join(', ') || '—'}</td>
              <td>{u.emailVerified ? 'yes' : 'no'}</td>
              <td>{u.notes}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
