// Added in a later change, without the middleware: under protect: 'none' nothing guards it.
import { createServerFn } from '@tanstack/react-start';
import { getRequestHeader } from '@tanstack/react-start/server';
import { ran } from './calls';

export const exportAllInvoices = createServerFn().handler(async () => {
  ran('exportAllInvoices');
  return [{ id: 'inv-1', customer: 'Alice', total: 1200 }];
});

// A hand-written check instead of the middleware: it throws a plain Error, which Start sends as a
// 200. The audit cannot tell this apart from a validator or handler error, so it does not call it
// protected.
export const ownCheck = createServerFn({ method: 'POST' }).handler(async () => {
  if (!getRequestHeader('cookie')?.includes('__Host-session=')) throw new Error('not signed in');
  ran('ownCheck');
  return { ok: true };
});
