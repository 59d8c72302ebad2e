// Server-function input is whatever a caller sends: check the shape before using it.
export function fields<K extends string>(data: unknown, spec: Record<K, number>): Record<K, string> {
  if (typeof data !== 'object' || data === null) throw new TypeError('invalid input');
  const out = {} as Record<K, string>;
  for (const [key, max] of Object.entries(spec) as [K, number][]) {
    const value = (data as Record<string, unknown>)[key];
    if (typeof value !== 'string' || value.length > max) throw new TypeError(`invalid input: ${key}`);
    out[key] = value;
  }
  return out;
}

export function flag(data: unknown, key: string): boolean {
  return typeof data === 'object' && data !== null && (data as Record<string, unknown>)[key] === true;
}
