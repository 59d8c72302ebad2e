import { createServerFn } from '@tanstack/react-start';
import { auth, authMiddleware, strictAuth } from '../auth';
import { calls, ran } from './calls';
import { limiter } from './limiter';

export const whoami = createServerFn()
  .middleware([authMiddleware])
  .handler(async ({ context }) => {
    ran('whoami');
    return { id: context.user.id, name: context.user.name, sessionId: context.session.id };
  });

export const whoamiPost = createServerFn({ method: 'POST' })
  .middleware([authMiddleware])
  .validator((data: { note: string }) => data)
  .handler(async ({ context, data }) => {
    ran('whoamiPost');
    return { id: context.user.id, note: data.note };
  });

export const strictWhoami = createServerFn()
  .middleware([strictAuth.middleware])
  .handler(async ({ context }) => {
    ran('strictWhoami');
    return { id: context.user.id };
  });

export const maybeMe = createServerFn()
  .middleware([auth.optional])
  .handler(async ({ context }) => {
    ran('maybeMe');
    return { id: context.user?.id ?? null };
  });

export const adminOnly = createServerFn({ method: 'POST' })
  .middleware([auth.requireRole('admin')])
  .handler(async ({ context }) => {
    ran('adminOnly');
    return { admin: context.user.id };
  });

export const ownDocument = createServerFn()
  .middleware([
    auth.requireWhere(({ user, data }) => (data as { owner?: string } | undefined)?.owner === user.id),
  ])
  .validator((data: { owner: string }) => data)
  .handler(async ({ data }) => {
    ran('ownDocument');
    return { owner: data.owner };
  });

export const recentSignIn = createServerFn({ method: 'POST' })
  .middleware([auth.requireFresh({ withinSeconds: 300 })])
  .handler(async () => {
    ran('recentSignIn');
    return { ok: true };
  });

export const limited = createServerFn({ method: 'POST' })
  .middleware([
    // One bucket per client: its address under trustProxy (X-Forwarded-For from the loopback proxy).
    auth.rateLimit({ limiter, key: ({ client }) => `limited:${client.limitKey}` }),
  ])
  .handler(async () => {
    ran('limited');
    return { ok: true };
  });

// No middleware at all: under protect: 'all' only the public list lets these through.
export const openByRef = createServerFn().handler(async () => {
  ran('openByRef');
  return { open: 'ref' };
});

export const openByName = createServerFn({ method: 'POST' }).handler(async () => {
  ran('openByName');
  return { open: 'name' };
});

export const unlisted = createServerFn({ method: 'POST' }).handler(async () => {
  ran('unlisted');
  return { secret: 'unlisted data' };
});

export const unlistedGet = createServerFn().handler(async () => {
  ran('unlistedGet');
  return { secret: 'unlisted get data' };
});

// Public: the tests read how often each handler ran.
export const handlerCalls = createServerFn().handler(async () => ({ ...calls }));
