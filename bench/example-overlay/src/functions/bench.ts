// Added to a copy of the example for bench/example-app.mjs only: one handler, public and behind
// start-guard's middleware, and the server's CPU clock.
import { createServerFn } from '@tanstack/react-start';
import { authMiddleware } from '../auth';
import { users } from '../server/db.server';

export const benchOpen = createServerFn().handler(() => ({ ok: true }));

export const benchGuarded = createServerFn()
  .middleware([authMiddleware])
  .handler(() => ({ ok: true }));

/** The server process's CPU time so far (user + system, microseconds). */
export const benchCpu = createServerFn().handler(() => {
  const { user, system } = process.cpuUsage();
  return user + system;
});

/** What the app's loadUser costs (one SQLite lookup by id), timed in the server: µs per call. */
export const benchLoadUser = createServerFn().handler(() => {
  const id = users.all()[0]!.id;
  const n = 2000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) users.byId(id);
  return Number(process.hrtime.bigint() - t0) / 1000 / n;
});
