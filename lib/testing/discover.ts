// Which server functions a production build serves, and where each is defined.
// The set comes from the build itself: the server-function resolver's manifest in dist/server
// (`id -> { functionName, importer }`), the list Start looks ids up in, so a function the server
// can run is never missed. Names come from the record of recordServerFnIds(); an id the record
// does not have (built without the helper, or a stale record) is named by hashing the app's
// source files the way Start does; failing both, it is still probed, by id.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { argTypeError, optionalString } from './args.js';
import { defaultServerFnId, exportNameOf } from './ids.js';
import { DEFAULT_RECORD_FILE, RECORD_FORMAT, type RecordedServerFn } from './record.js';

export interface DiscoverOptions {
  /** The app's root (Vite root): default the working directory. */
  root?: string;
  /** The build output: default `<root>/dist` (the manifest is read from `<dist>/server`). */
  dist?: string;
  /** The record written by recordServerFnIds(): default `<root>/.start-guard/server-fns.json`. */
  record?: string;
}

export interface DiscoveredServerFn {
  id: string;
  /** Export name ('whoami'), from the compiler's functionName. */
  name: string;
  /** Source file relative to the root ('src/lib/fns.ts'); undefined when it could not be found. */
  file: string | undefined;
  functionName: string;
  /** How `file` was found: the record, hashing source files, or not at all. */
  source: 'record' | 'hash' | 'manifest';
}

export interface Discovery {
  functions: DiscoveredServerFn[];
  manifestFiles: string[];
  recordFile: string | undefined;
  notes: string[];
}

// The resolver module Start generates (server-fn-resolver-module.ts) throws this for unknown ids.
const RESOLVER_MARKER = 'Server function info not found for ';
// One manifest entry `<id>: { functionName: <string>, ...`, as Start's generator writes it and as
// minifiers leave it: the key quoted with ' or " or bare (esbuild drops the quotes of an id that is
// a valid identifier or number), functionName's key bare or quoted, its value in ', " or `.
const STRING = String.raw`"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'`;
const MANIFEST_ENTRY = new RegExp(
  String.raw`(${STRING}|[\w$]+)\s*:\s*\{\s*(?:functionName|"functionName"|'functionName')\s*:\s*(${STRING}|\x60[^\x60\\$]*\x60)`,
  'g',
);
// Every functionName given a literal: what the entries above must account for, or the manifest
// was written in a shape this reader does not know and the audit refuses to guess.
const FUNCTION_NAME_LITERAL = /\bfunctionName["']?\s*:\s*["'\x60]/g;
const SOURCE_EXT = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  '.cache',
  '.tanstack',
  '.start-guard',
  '.output',
  '.nitro',
]);
const MAX_SOURCE_FILES = 50_000;

export function discoverServerFns(options: DiscoverOptions = {}): Discovery {
  if (typeof options !== 'object' || options === null) throw argTypeError('options', 'an object');
  const root = resolve(optionalString('options.root', options.root) ?? '.');
  const dist = resolve(root, optionalString('options.dist', options.dist) ?? 'dist');
  const recordPath = resolve(root, optionalString('options.record', options.record) ?? DEFAULT_RECORD_FILE);

  const { manifest, files: manifestFiles } = readManifest(join(dist, 'server'));
  const notes: string[] = [];
  const recorded = readRecord(recordPath, notes);
  const functions: DiscoveredServerFn[] = [];
  const unnamed: DiscoveredServerFn[] = [];
  const ambiguous: string[] = [];
  const untrusted: string[] = [];
  for (const [id, functionName] of manifest) {
    const entries = recorded?.get(id) ?? [];
    let entry: RecordedServerFn | undefined;
    if (entries.length > 1) {
      // Two functions recorded under one id: Start gave the second `${id}_1`, and the record cannot
      // say which is which. Naming either would risk calling the open one by the public one's name.
      ambiguous.push(`${id} (${entries.map((e) => `${e.file}#${e.name}`).join(', ')})`);
    } else if (entries.length === 1) {
      if (trustworthy(entries[0]!, id, functionName)) entry = entries[0];
      else untrusted.push(`${entries[0]!.file}#${entries[0]!.name} (id ${id})`);
    }
    const fn: DiscoveredServerFn = entry
      ? { id, name: entry.name, file: entry.file, functionName, source: 'record' }
      : { id, name: exportNameOf(functionName), file: undefined, functionName, source: 'manifest' };
    functions.push(fn);
    if (!entry) unnamed.push(fn);
  }
  if (ambiguous.length > 0) {
    notes.push(
      `the record ${recordPath} gives one id to several functions (the app's generateFunctionId ` +
        `returned the same id twice; Start renamed the later ones id_1, id_2...): not named from the ` +
        `record: ${ambiguous.join('; ')}`,
    );
  }
  if (untrusted.length > 0) {
    notes.push(
      `the record ${recordPath} names function(s) that do not match the build (a functionName other ` +
        `than the manifest's, or a SHA-256 id that is not sha256(file--functionName)): not trusted: ` +
        untrusted.join('; '),
    );
  }
  if (unnamed.length > 0) {
    const found = nameByHash(root, dist, unnamed);
    if (recorded !== undefined) {
      notes.push(
        `${unnamed.length} server function(s) not named by the record ${recordPath} (a stale record, ` +
          `ids Start de-duplicated, or entries not trusted): named by hashing source files where possible`,
      );
    }
    if (found < unnamed.length) {
      notes.push(
        `${unnamed.length - found} server function(s) could not be traced to a source file (a custom ` +
          'generateFunctionId without recordServerFnIds, or sources not under the root): probed by id; ' +
          '"file#name" entries cannot match them',
      );
    }
  }
  functions.sort((a, b) => compareCodeUnits(label(a), label(b)));
  return { functions, manifestFiles, recordFile: recorded === undefined ? undefined : recordPath, notes };
}

/** 'src/lib/fns.ts#whoami', or '?#whoami (id)' when the file is unknown. */
export function label(fn: Pick<DiscoveredServerFn, 'file' | 'name' | 'id'>): string {
  return fn.file === undefined ? `?#${fn.name} (${fn.id.slice(0, 12)})` : `${fn.file}#${fn.name}`;
}

function readManifest(serverDir: string): { manifest: Map<string, string>; files: string[] } {
  if (!existsSync(serverDir)) {
    throw new Error(
      `start-guard audit: ${serverDir} does not exist: run the app's production build (vite build) first, ` +
        'or pass the build folder (--dist)',
    );
  }
  const manifest = new Map<string, string>();
  const files: string[] = [];
  for (const file of walk(serverDir, (name) => /\.[cm]?js$/.test(name))) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes(RESOLVER_MARKER)) continue;
    files.push(file);
    let read = 0;
    for (const m of text.matchAll(MANIFEST_ENTRY)) {
      manifest.set(unquote(m[1]!), unquote(m[2]!));
      read++;
    }
    const expected = text.match(FUNCTION_NAME_LITERAL)?.length ?? 0;
    if (read !== expected) {
      throw new Error(
        `start-guard audit: cannot read the server-function manifest in ${file}: ${expected} ` +
          `functionName entries, ${read} of them readable. The audit will not guess which functions ` +
          'exist; please report the build settings (minifier, Start version) that wrote it',
      );
    }
  }
  if (files.length === 0) {
    throw new Error(
      `start-guard audit: no server-function manifest in ${serverDir}: is it the production build of a ` +
        'TanStack Start 1.169 app? (dev servers have none)',
    );
  }
  return { manifest, files };
}

// Start's default id: SHA-256 hex of `${filename}--${functionName}` (ids.ts).
const SHA256_ID = /^[0-9a-f]{64}$/;

/**
 * Whether a record entry may name the manifest's function `id`: it must have the manifest's
 * functionName, and an id shaped like Start's default must be exactly that hash of its file and
 * functionName. (An app generator's own ids cannot be recomputed; those are taken as recorded.)
 */
function trustworthy(entry: RecordedServerFn, id: string, functionName: string): boolean {
  if (entry.functionName !== functionName) return false;
  return !SHA256_ID.test(id) || defaultServerFnId(entry.file, entry.functionName) === id;
}

/** Code-unit order: the same on every machine, whatever its locale. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A key or value as written in the bundle: a bare word, or a string literal in ', " or `. */
function unquote(token: string): string {
  const quote = token[0];
  if (quote !== '"' && quote !== "'" && quote !== '`') return token;
  const body = token.slice(1, -1);
  if (quote === '`' || !body.includes('\\')) return body;
  // JSON reads the escapes JavaScript and JSON share; a single-quoted body is re-quoted first.
  const json = quote === '"' ? body : body.replace(/\\'/g, "'").replace(/"/g, '\\"');
  try {
    return JSON.parse(`"${json}"`) as string;
  } catch {
    return body;
  }
}

function readRecord(path: string, notes: string[]): Map<string, RecordedServerFn[]> | undefined {
  if (!existsSync(path)) {
    notes.push(
      `no record at ${path}: functions are named by hashing source files (add recordServerFnIds() to ` +
        'tanstackStart({ serverFns }) in vite.config.ts to name them from the build itself)',
    );
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    notes.push(`the record ${path} is not JSON (${(error as Error).message}): ignored`);
    return undefined;
  }
  const record = parsed as { format?: unknown; functions?: unknown };
  if (record?.format !== RECORD_FORMAT || !Array.isArray(record.functions)) {
    notes.push(`the record ${path} is not a ${RECORD_FORMAT} record: ignored`);
    return undefined;
  }
  const byId = new Map<string, RecordedServerFn[]>();
  for (const entry of record.functions as Partial<RecordedServerFn>[]) {
    if (
      typeof entry?.id === 'string' &&
      typeof entry.file === 'string' &&
      typeof entry.name === 'string' &&
      typeof entry.functionName === 'string'
    ) {
      const same = byId.get(entry.id) ?? [];
      // The recorder writes one entry per file and functionName; a repeat is the same function.
      if (!same.some((e) => e.file === entry.file && e.functionName === entry.functionName)) {
        same.push(entry as RecordedServerFn);
      }
      byId.set(entry.id, same);
    }
  }
  return byId;
}

/** Names what it can by Start's default id; returns how many it named. */
function nameByHash(root: string, dist: string, unnamed: DiscoveredServerFn[]): number {
  const candidates: string[] = [];
  for (const file of walk(root, (name) => SOURCE_EXT.test(name), dist)) {
    // The compiler only rewrites direct createServerFn calls, so their file names the identifier.
    if (readFileSync(file, 'utf8').includes('createServerFn')) {
      candidates.push(relative(root, file).split(sep).join('/'));
    }
  }
  let found = 0;
  for (const fn of unnamed) {
    const file = candidates.find((c) => defaultServerFnId(c, fn.functionName) === fn.id);
    if (file !== undefined) {
      fn.file = file;
      fn.source = 'hash';
      found++;
    }
  }
  return found;
}

function* walk(dir: string, accept: (name: string) => boolean, skip?: string): Generator<string> {
  const stack = [dir];
  let seen = 0;
  while (stack.length > 0) {
    const current = stack.pop()!;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && path !== skip) stack.push(path);
      } else if (entry.isFile() && accept(entry.name)) {
        if (++seen > MAX_SOURCE_FILES) return;
        yield path;
      } else if (
        entry.isSymbolicLink() &&
        accept(entry.name) &&
        statSync(path, { throwIfNoEntry: false })?.isFile()
      ) {
        yield path;
      }
    }
  }
}
