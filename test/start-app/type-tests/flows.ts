// Compiled with the rest of the type test: the flows are typed by createAuth's options. signIn and
// updateSession take the session data type, getSession's user is what toClient returns, and
// passwordSignIn's user is the account without its passwordHash.
import { createServerFn } from '@tanstack/react-start';
import type { ClientAddress, Session } from 'start-guard';
import type { ClientSession } from 'start-guard/start';
import { auth } from '../src/auth';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(_: T) => {};

declare const hasher: {
  verify(stored: string | null | undefined, password: string): Promise<boolean>;
  needsRehash(stored: string): boolean;
  hash(password: string): Promise<string>;
};
declare const limits: Parameters<typeof auth.passwordSignIn>[0]['limits'];

export const flows = createServerFn({ method: 'POST' }).handler(async () => {
  const session = await auth.signIn('alice', { theme: 'dark' }, { persistent: true });
  expectType<Equal<typeof session, Session<{ theme: string }>>>(true);
  // @ts-expect-error the session data type is createSessionManager's
  await auth.signIn('alice', { colour: 'red' });
  await auth.updateSession({ theme: 'light' });
  await auth.signOut({ scope: 'others' });
  // @ts-expect-error scope is 'this' | 'others' | 'all'
  await auth.signOut({ scope: 'everyone' });

  const view = await auth.getSession();
  if (view !== null) {
    expectType<Equal<typeof view.user, { name: string; roles: string[] }>>(true);
    expectType<Equal<typeof view.session, ClientSession>>(true);
    // @ts-expect-error getSession never sends the session data
    view.session.data;
  }

  const { user } = await auth.passwordSignIn({
    identifier: 'alice@example.com',
    password: 'pw',
    findUser: async (email: string) => ({ id: 'alice', email, passwordHash: 'x' as string | null }),
    saveHash: async () => {},
    hasher,
    limits,
  });
  expectType<Equal<typeof user, { id: string; email: string }>>(true);

  const client = await auth.clientAddress();
  expectType<Equal<typeof client, ClientAddress>>(true);
  auth.rateLimit({
    limiter: { take: async () => ({ allowed: true, remaining: 1, retryAfterMs: 0 }) },
    key: ({ client: c }) => c.limitKey,
  });
  return view?.user.name ?? null;
});
