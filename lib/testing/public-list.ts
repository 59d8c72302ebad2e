// The allow-list of intentionally public functions: the list startOptions({ public }) takes.
// 'src/file.ts#name' strings are matched against discovered files and export names, server
// function references (anything with serverFnMeta.id) against ids. An entry that names no
// function is reported: a misspelled name makes nothing public, and under protect: 'all' the
// function it meant is refused; with protect: 'none' the list is all the audit has to go on.
import { argTypeError } from './args.js';
import { type DiscoveredServerFn, label } from './discover.js';

export type PublicEntry =
  string | { readonly serverFnMeta?: { readonly id: string } } | ((...args: never[]) => unknown);

export interface UnknownPublicEntry {
  entry: string;
  /** The closest real function, when one is close: 'src/lib/fns.ts#openByName'. */
  suggestion?: string;
}

export interface PublicCheck {
  isPublic(fn: DiscoveredServerFn): boolean;
  unknown: UnknownPublicEntry[];
}

const FILE_NAME = /^[^#]+#[^#]+$/;

export function checkPublicList(
  list: readonly PublicEntry[],
  functions: readonly DiscoveredServerFn[],
): PublicCheck {
  if (!Array.isArray(list))
    throw argTypeError('options.public', 'an array of server functions or "file#name" strings');
  const names = new Set<string>();
  const ids = new Set<string>();
  const unknown: UnknownPublicEntry[] = [];
  const known = new Set(functions.filter((f) => f.file !== undefined).map((f) => label(f)));
  const knownIds = new Set(functions.map((f) => f.id));
  for (const entry of list) {
    if (typeof entry === 'string') {
      if (!FILE_NAME.test(entry)) {
        throw argTypeError('options.public', `made of "src/file.ts#exportName" strings; "${entry}" is not`);
      }
      names.add(entry);
      if (!known.has(entry)) unknown.push({ entry, ...suggest(entry, [...known]) });
    } else if ((typeof entry === 'object' || typeof entry === 'function') && entry !== null) {
      const id = (entry as { serverFnMeta?: { id?: unknown } }).serverFnMeta?.id;
      if (typeof id !== 'string') {
        throw argTypeError(
          'options.public',
          'made of server functions (with serverFnMeta.id) or "file#name" strings',
        );
      }
      ids.add(id);
      if (!knownIds.has(id)) unknown.push({ entry: `id ${id}` });
    } else {
      throw argTypeError('options.public', 'made of server functions or "file#name" strings');
    }
  }
  return {
    isPublic: (fn) => ids.has(fn.id) || (fn.file !== undefined && names.has(label(fn))),
    unknown,
  };
}

/** The known label nearest to `entry` by edit distance, if within about a third of its length. */
function suggest(entry: string, known: string[]): { suggestion?: string } {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(entry.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(entry.length / 3))
    ? { suggestion: best }
    : {};
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length]!;
}
