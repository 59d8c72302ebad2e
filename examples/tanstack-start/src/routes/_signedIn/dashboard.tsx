import { createFileRoute, useRouter } from '@tanstack/react-router';
import { addNote, listNotes } from '../../functions/notes';
import { Field, Form } from '../../components/Form';

export const Route = createFileRoute('/_signedIn/dashboard')({
  loader: () => listNotes(),
  component: Dashboard,
});

function Dashboard() {
  const notes = Route.useLoaderData();
  const { auth } = Route.useRouteContext();
  const router = useRouter();
  return (
    <>
      <section className="card">
        <h1 id="dashboard-title">Hello, {auth.user.name}</h1>
        {!auth.user.emailVerified && (
          <p className="warning" id="unverified">
            Your e-mail address is not confirmed yet: open the link we sent to {auth.user.email}.
          </p>
        )}
        <p>
          Your notes below come from a server function that checks your session on every call: without it, the
          same request gets a 401 and no data.
        </p>
      </section>
      <section className="card">
        <h2>Notes</h2>
        <Form
          id="add-note"
          submit="Add"
          onSubmit={async (v) => {
            await addNote({ data: { body: String(v.body) } });
            await router.invalidate();
          }}
        >
          <Field label="A note (only you can read it)" name="body" />
        </Form>
        {notes.length === 0 ? (
          <p>
            <small>No notes yet.</small>
          </p>
        ) : (
          <ul className="notes" id="notes">
            {notes.map((n) => (
              <li key={n.id}>{n.body}</li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
