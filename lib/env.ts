// NODE_ENV, read safely: in a browser bundle `process` may not exist at all.
export function isProduction(): boolean {
  return typeof process !== 'undefined' && process.env?.NODE_ENV === 'production';
}
