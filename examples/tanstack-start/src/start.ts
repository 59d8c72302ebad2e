// One line of start-guard: its CSRF check, the session middleware, the error adapter, and deny by
// default — every server function needs a session unless it is listed here.
import { createStart } from '@tanstack/react-start';
import { auth } from './auth';

export const startInstance = createStart(() =>
  auth.startOptions({
    protect: 'all',
    public: [
      'src/functions/session.ts#getSession',
      'src/functions/health.ts#health',
      'src/functions/account.ts#register',
      'src/functions/account.ts#verifyEmail',
      'src/functions/account.ts#signIn',
      'src/functions/account.ts#signOut',
      'src/functions/account.ts#requestPasswordReset',
      'src/functions/account.ts#checkResetLink',
      'src/functions/account.ts#completePasswordReset',
    ],
  }),
);
