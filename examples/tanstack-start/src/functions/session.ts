import { createServerFn } from '@tanstack/react-start';
import { flows } from '../server/flows.server';

/** Public: null, or the session's public fields and the user as publicUser() shows it. */
export const getSession = createServerFn().handler(() => flows.getSession());
