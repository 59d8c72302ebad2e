// Programmer errors of start-guard/testing: the same TypeError/RangeError shapes as the core's,
// without importing the core (the audit and the Vite helper must not load the native binding).

export function argTypeError(name: string, expected: string): TypeError {
  const error = new TypeError(`The "${name}" argument must be ${expected}`);
  (error as TypeError & { code: string }).code = 'ERR_INVALID_ARG_TYPE';
  return error;
}

export function argRangeError(name: string, detail: string): RangeError {
  const error = new RangeError(`The "${name}" argument ${detail}`);
  (error as RangeError & { code: string }).code = 'ERR_OUT_OF_RANGE';
  return error;
}

export function optionalString(name: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw argTypeError(name, 'a string');
  return value;
}

export function positiveInteger(name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw argTypeError(name, 'an integer');
  if (value < 1 || value > max) throw argRangeError(name, `must be between 1 and ${max}; received ${value}`);
  return value;
}
