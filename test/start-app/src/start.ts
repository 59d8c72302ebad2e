import { createStart } from '@tanstack/react-start';
import { auth } from './auth';
import { handlerCalls, maybeMe, openByRef, strictWhoami } from './lib/fns';

// One line in a real app: createStart(() => auth.startOptions({ protect: 'all' })). The test server
// can also start without it (START_GUARD_TEST_NO_START_OPTIONS=1) to prove guards fail closed.
const forgotten = import.meta.env.SSR && process.env.START_GUARD_TEST_NO_START_OPTIONS === '1';

// The flows (src/lib/flows.ts) that answer without a session.
const publicFlows = [
  'signInAs',
  'passwordLogin',
  'signOut',
  'getSession',
  'clientKey',
  'storedHash',
  'outbox',
  'requestReset',
  'checkReset',
  'completeReset',
  'completeVerification',
  'checkVerification',
].map((name) => `src/lib/flows.ts#${name}`);

export const startInstance = createStart(() =>
  forgotten
    ? {}
    : auth.startOptions({
        protect: 'all',
        // strictWhoami and maybeMe carry their own middleware (onUnauthenticated: 'error'; optional).
        public: [openByRef, handlerCalls, strictWhoami, maybeMe, 'src/lib/fns.ts#openByName', ...publicFlows],
        csrf: { allowedOrigins: ['https://partner.example'], exempt: ['/api/webhook'] },
      }),
);
