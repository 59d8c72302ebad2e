// Handlers that run without a session and answer in shapes that resemble a refusal: the audit must
// not call any of them protected (the security review of issue 16). Each records that it ran.
import { redirect } from '@tanstack/react-router';
import { createServerFn } from '@tanstack/react-start';
import { setResponseHeader, setResponseStatus } from '@tanstack/react-start/server';
import { auth } from '../auth';
import { ran } from './calls';

const ROWS = { customers: [{ name: 'Alice', card: '4111-1111-1111-1111' }] };

/** Best effort: start-guard's updateSession refuses (setting 401 and its header), the data goes out. */
async function touchSession() {
  try {
    await auth.updateSession({ theme: 'seen' });
  } catch {
    // not signed in: the handler carries on
  }
}

// A deferred value: a framed answer, sent with the 401 and header the caught refusal left behind.
export const leakDeferred = createServerFn().handler(async () => {
  ran('leakDeferred');
  await touchSession();
  return { rows: new Promise((resolve) => setTimeout(() => resolve(ROWS), 5)) };
});

// A plain result under the same 401 and header.
export const leakJson = createServerFn().handler(async () => {
  ran('leakJson');
  await touchSession();
  return ROWS;
});

// A Response of its own (a CSV export) under the same 401 and header.
export const leakRaw = createServerFn().handler(async () => {
  ran('leakRaw');
  await touchSession();
  return new Response('name,card\nAlice,4111-1111-1111-1111\n', { headers: { 'content-type': 'text/csv' } });
});

// A 401 with the data in the body.
export const leak401 = createServerFn().handler(async () => {
  ran('leak401');
  setResponseStatus(401);
  return ROWS;
});

// The header and message of a start-guard refusal, written by hand after the handler ran.
export const imitation = createServerFn().handler(async () => {
  ran('imitation');
  setResponseStatus(401);
  setResponseHeader('x-start-guard-error' as never, 'ERR_UNAUTHENTICATED');
  throw new Error('ERR_UNAUTHENTICATED: sign-in required');
});

// A redirect after the handler ran.
export const redirectAfter = createServerFn({ method: 'POST' }).handler(async () => {
  ran('redirectAfter');
  throw redirect({ to: '/login' });
});

// Calls a function no client references (Start has no id for it): its error names another id.
export const callsInternal = createServerFn().handler(async () => {
  ran('callsInternal');
  const { internalOnly } = await import('./internal');
  return internalOnly();
});
