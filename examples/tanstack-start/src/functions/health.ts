// A liveness check (the demo script waits for it), and its signed-in twin. The benchmark compares
// the two: same handler, one public, one behind the middleware.
import { createServerFn } from '@tanstack/react-start';
import { authMiddleware } from '../auth';
import { ready } from '../server/accounts.server';

export const health = createServerFn().handler(async () => {
  await ready();
  return { ok: true };
});

export const healthSignedIn = createServerFn()
  .middleware([authMiddleware])
  .handler(async () => {
    await ready();
    return { ok: true };
  });
