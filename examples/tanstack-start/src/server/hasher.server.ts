// Passwords: start-guard's hasher at its defaults (Argon2id at OWASP's parameters, NFKC, 8 to
// 1024, a dummy verification for unknown accounts, a bounded pool off the event loop). One hasher
// for every hash and verify of the app.
import { createPasswordHasher } from 'start-guard';
import { logEvent } from '../log';

export const hasher = createPasswordHasher({ onEvent: logEvent });
