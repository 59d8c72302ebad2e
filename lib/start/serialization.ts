// Keeps a StartGuardError whole across the wire: without an adapter Start sends an Error's message
// only, and the client could not tell a 401 from a 403 but by parsing text. Start's
// createSerializationAdapter returns its options as they are, so the adapter is a plain object
// and costs the client bundle nothing from the router.
import type { SerializationAdapter } from '@tanstack/react-router';
import { StartGuardError, isStartGuardError } from 'start-guard';
import type { StartGuardErrorCode } from 'start-guard';

interface SerializedStartGuardError {
  code: string;
  message: string;
  status: number | null;
}

/**
 * Start's own adapter type (what createSerializationAdapter returns), so that
 * `createStart(() => auth.startOptions())` type-checks: its `~types` member exists in types only.
 */
export type StartGuardSerializationAdapter = SerializationAdapter<
  StartGuardError,
  SerializedStartGuardError,
  never
>;

export const startGuardSerializationAdapter = {
  key: 'start-guard/error',
  test: (value: unknown): value is StartGuardError => isStartGuardError(value),
  toSerializable: (error) => ({ code: error.code, message: error.message, status: error.status ?? null }),
  fromSerializable: (value) => {
    const options = typeof value.status === 'number' ? { status: value.status } : {};
    return new StartGuardError(value.code as StartGuardErrorCode, String(value.message), options);
  },
} as StartGuardSerializationAdapter;
