// The allow-list of protect: 'all'. Start runs global function middleware before the function's
// own middleware and hands it serverFnMeta = { id, name, filename } (measured in 1.169.5
// production builds), so a function is public when its id was listed by reference or its
// 'file#name' was listed as a string. References are resolved lazily: the server-function
// objects may not be initialized yet when src/start.ts is evaluated.
import { StartGuardError } from 'start-guard';

/** A server function (what createServerFn().handler() returns) or 'src/file.ts#name'. */
export type PublicServerFn =
  string | { readonly serverFnMeta?: { readonly id: string } } | ((...args: never[]) => unknown);

export function publicMatcher(list: readonly PublicServerFn[]): (meta: unknown) => boolean {
  if (!Array.isArray(list)) {
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      'public must be an array of server functions or "file#name" strings',
    );
  }
  const names = new Set<string>();
  const refs: object[] = [];
  for (const entry of list) {
    if (typeof entry === 'string') {
      if (!/^[^#]+#[^#]+$/.test(entry)) {
        throw new StartGuardError(
          'ERR_INVALID_OPTION',
          `public: "${entry}" is not of the form "src/file.ts#exportName"`,
        );
      }
      names.add(entry);
    } else if ((typeof entry === 'object' || typeof entry === 'function') && entry !== null) {
      refs.push(entry);
    } else {
      throw new StartGuardError(
        'ERR_INVALID_OPTION',
        'public: each entry is a server function or a "file#name" string',
      );
    }
  }
  let ids: Set<string> | undefined;
  return (meta) => {
    if (typeof meta !== 'object' || meta === null) return false;
    const { id, name, filename } = meta as { id?: unknown; name?: unknown; filename?: unknown };
    if (typeof id === 'string') {
      if (ids === undefined) ids = resolveIds(refs);
      if (ids.has(id)) return true;
    }
    return typeof name === 'string' && typeof filename === 'string' && names.has(`${filename}#${name}`);
  };
}

function resolveIds(refs: readonly object[]): Set<string> {
  const ids = new Set<string>();
  for (const ref of refs) {
    const id = (ref as { serverFnMeta?: { id?: unknown } }).serverFnMeta?.id;
    // An entry without an id is not a server function: it makes nothing public (fail closed).
    if (typeof id === 'string') ids.add(id);
    else
      process.emitWarning(
        'start-guard: an entry of startOptions({ public }) is not a server function; ignored',
      );
  }
  return ids;
}
