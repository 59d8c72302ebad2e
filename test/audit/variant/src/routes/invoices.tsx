// The page that uses the functions of src/lib/exposed.ts (a server function imported by nothing is
// not in the build, and not callable).
import { createFileRoute } from '@tanstack/react-router';
import { exportAllInvoices, ownCheck } from '../lib/exposed';

export const Route = createFileRoute('/invoices')({
  component: function Invoices() {
    return (
      <main>
        <button onClick={() => exportAllInvoices()}>Export</button>
        <button onClick={() => ownCheck()}>Check</button>
      </main>
    );
  },
});
