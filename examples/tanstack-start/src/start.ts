// One line of start-guard: its CSRF check, the session middleware, the error adapter, and deny by
// default: every server function needs a session unless it is listed in public-server-fns.json
// (the same file `npx start-guard audit --public-file` checks the running build against).
import { createStart } from '@tanstack/react-start';
import { auth } from './auth';
import publicServerFns from './public-server-fns.json';

export const startInstance = createStart(() =>
  auth.startOptions({ protect: 'all', public: publicServerFns }),
);
