// The audit's negative fixture: an app without deny by default (protect: 'none').
import { createStart } from '@tanstack/react-start';
import { auth } from './auth';

export const startInstance = createStart(() => auth.startOptions({ protect: 'none' }));
