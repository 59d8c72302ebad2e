// The signed-in user's notes: the data a beforeLoad redirect alone would not protect.
import { createServerFn } from '@tanstack/react-start';
import { authMiddleware } from '../auth';
import { notes } from '../server/db.server';
import { fields } from './input';

export const listNotes = createServerFn()
  .middleware([authMiddleware])
  .handler(({ context }) => notes.list(context.user.id));

export const addNote = createServerFn({ method: 'POST' })
  .middleware([authMiddleware])
  .validator((data: { body: string }) => fields(data, { body: 500 }))
  .handler(({ data, context }) => {
    const body = data.body.trim();
    if (body !== '') notes.add(context.user.id, body);
    return { ok: true as const };
  });
