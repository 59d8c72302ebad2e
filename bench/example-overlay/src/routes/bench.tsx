// Start compiles the server functions that something imports: this page imports the benchmark's.
import { createFileRoute } from '@tanstack/react-router';
import { benchCpu, benchGuarded, benchLoadUser, benchOpen } from '../functions/bench';

export const Route = createFileRoute('/bench')({
  loader: async () => ({
    open: await benchOpen(),
    cpu: await benchCpu(),
    guarded: await benchGuarded(),
    loadUser: await benchLoadUser(),
  }),
  component: () => <p>benchmark</p>,
});
