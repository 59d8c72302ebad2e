// Compiled with tsc --noEmit by the Start stage (test/start/bundle.test.mjs): context.user is what
// loadUser returns and context.session a Session<T>, in handlers, without annotations; misuse fails.
import { createServerFn } from '@tanstack/react-start';
import type { Session } from 'start-guard';
import { isStartGuardError } from 'start-guard';
import { createAuth, startGuardSerializationAdapter } from 'start-guard/start';
import { auth, sessions, type User } from '../src/auth';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(_: T) => {};

export const typed = createServerFn()
  .middleware([auth.middleware])
  .handler(async ({ context }) => {
    expectType<Equal<typeof context.user, User>>(true);
    expectType<Equal<typeof context.session, Session<{ theme: string }>>>(true);
    const theme: string = context.session.data.theme;
    // @ts-expect-error the session data has no such field
    context.session.data.missing;
    // @ts-expect-error the user has no such field
    context.user.password;
    return { id: context.user.id, theme };
  });

export const optional = createServerFn()
  .middleware([auth.optional])
  .handler(async ({ context }) => {
    expectType<Equal<typeof context.user, User | null>>(true);
    // @ts-expect-error the user may be null under auth.optional
    context.user.id;
    return context.user?.id ?? null;
  });

export const roles = createServerFn({ method: 'POST' })
  .middleware([auth.requireRole('admin')])
  .handler(async ({ context }) => {
    expectType<Equal<typeof context.user, User>>(true);
    return context.user.roles;
  });

export const fresh = createServerFn({ method: 'POST' })
  .middleware([auth.requireFresh({ withinSeconds: 60 })])
  .handler(async ({ context }) => context.session.authTime);

export const unguarded = createServerFn().handler(async ({ context }) => {
  // @ts-expect-error no auth middleware: context has no user
  return context.user;
});

// loadUser's return type is the user type; null/undefined mean "no user" and are removed.
const custom = createAuth({
  sessions,
  loadUser: (session) => (session.userId === 'x' ? { id: 'x', roles: ['a'], plan: 'pro' as const } : null),
});
export const plan = createServerFn()
  .middleware([custom.middleware])
  .handler(async ({ context }) => {
    expectType<Equal<typeof context.user.plan, 'pro'>>(true);
    return context.user.plan;
  });

// @ts-expect-error loadUser is required
createAuth({ sessions });
// @ts-expect-error protect takes 'none' or 'all'
auth.startOptions({ protect: 'some' });
// @ts-expect-error requireFresh needs withinSeconds
auth.requireFresh({});

export const adapterKey: string = startGuardSerializationAdapter.key;
export function onClient(e: unknown): number | undefined {
  return isStartGuardError(e, 'ERR_UNAUTHENTICATED') ? e.status : undefined;
}
