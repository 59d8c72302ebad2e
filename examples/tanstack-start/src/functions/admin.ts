// Admins only: requireRole('admin') answers 403 ERR_FORBIDDEN to everyone else.
import { createServerFn } from '@tanstack/react-start';
import { requireAdmin } from '../auth';
import { notes, users } from '../server/db.server';

export const adminOverview = createServerFn()
  .middleware([requireAdmin])
  .handler(() => {
    const counts = notes.countsByUser();
    return users.all().map((u) => ({
      email: u.email,
      name: u.name,
      roles: u.roles,
      emailVerified: u.emailVerifiedAt !== null,
      createdAt: u.createdAt,
      notes: counts.get(u.id) ?? 0,
    }));
  });
