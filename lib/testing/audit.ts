// auditServerFns(): every server function of a production build, called over HTTP without a
// session, classified, and checked against the allow-list of public functions.
import { argTypeError, optionalString, positiveInteger } from './args.js';
import { type Verdict, classify } from './classify.js';
import { type DiscoverOptions, type DiscoveredServerFn, discoverServerFns, label } from './discover.js';
import { type Method, type Probe, probe } from './probe.js';
import { formatAuditReport } from './report.js';
import { type PublicEntry, type UnknownPublicEntry, checkPublicList } from './public-list.js';
import { emptyPayload } from './seroval.js';
import { auditTarget } from './target.js';

export interface AuditOptions extends DiscoverOptions {
  /** The running production server: `http://127.0.0.1:3000`. Loopback only unless allowRemoteHost. */
  url: string | URL;
  /** The functions meant to answer without a session: what startOptions({ public }) takes. */
  public?: readonly PublicEntry[];
  /** Probe a host that is not this machine (probing runs every open function). Default false. */
  allowRemoteHost?: boolean;
  /** The app's origin, sent as Origin on same-origin calls; default the URL's (behind a proxy: the public one). */
  origin?: string;
  /** The origin of the cross-site calls; default 'https://start-guard-audit.invalid'. */
  foreignOrigin?: string;
  /** Start's serverFns.base; default '/_serverFn', under the URL's path. */
  serverFnBase?: string;
  /** Functions probed at once (default 4, at most 64). */
  concurrency?: number;
  /** Per request (default 10000 ms). */
  timeoutMs?: number;
  /** Whether an unlisted function the audit cannot classify fails the audit (default 'fail'). */
  errors?: 'fail' | 'warn';
}

export interface AuditedServerFn extends DiscoveredServerFn {
  /** 'src/lib/fns.ts#whoami' (or '?#name (id)' when the file is unknown). */
  label: string;
  /** The method it answered to (the GET probe comes first; POST after a 405). */
  method: Method | undefined;
  verdict: Verdict;
  detail: string;
  public: boolean;
  /** True when this function makes the audit fail: it answers without a session and is not public. */
  exposed: boolean;
  sameOrigin: Probe;
  foreignOrigin: Probe | undefined;
}

export interface AuditReport {
  url: string;
  ok: boolean;
  functions: AuditedServerFn[];
  /** The functions that fail the audit. */
  exposed: AuditedServerFn[];
  /** Entries of `public` that name no function of this build. */
  unknownPublic: UnknownPublicEntry[];
  notes: string[];
}

const FOREIGN_ORIGIN = 'https://start-guard-audit.invalid';

export async function auditServerFns(options: AuditOptions): Promise<AuditReport> {
  if (typeof options !== 'object' || options === null) throw argTypeError('options', 'an object');
  const target = auditTarget(options.url, options.allowRemoteHost === true);
  const origin = optionalString('options.origin', options.origin) ?? target.origin;
  const foreignOrigin = optionalString('options.foreignOrigin', options.foreignOrigin) ?? FOREIGN_ORIGIN;
  const base = optionalString('options.serverFnBase', options.serverFnBase) ?? '/_serverFn';
  const concurrency = positiveInteger('options.concurrency', options.concurrency, 4, 64);
  const timeoutMs = positiveInteger('options.timeoutMs', options.timeoutMs, 10_000, 600_000);
  const errors = options.errors ?? 'fail';
  if (errors !== 'fail' && errors !== 'warn') throw argTypeError('options.errors', "'fail' or 'warn'");

  const discovery = discoverServerFns(options);
  const list = checkPublicList(options.public ?? [], discovery.functions);
  const prefix = `${target.origin}${target.pathname.replace(/\/+$/, '')}/${base.replace(/^\/+|\/+$/g, '')}/`;
  const payload = await emptyPayload();

  const call = (fn: DiscoveredServerFn, method: Method, from: string, site: 'same-origin' | 'cross-site') =>
    probe({
      id: fn.id,
      url: prefix + encodeURIComponent(fn.id),
      method,
      payload,
      origin: from,
      site,
      timeoutMs,
    });

  const auditOne = async (fn: DiscoveredServerFn): Promise<AuditedServerFn> => {
    // GET first (createServerFn's default); Start answers 405 before running anything otherwise.
    let same = await call(fn, 'GET', origin, 'same-origin');
    if (same.outcome === 'wrong-method') {
      const post = await call(fn, 'POST', origin, 'same-origin');
      if (post.outcome !== 'wrong-method') same = post;
    }
    const method = same.outcome === 'wrong-method' || same.outcome === 'failed' ? undefined : same.method;
    const foreign = method === undefined ? undefined : await call(fn, method, foreignOrigin, 'cross-site');
    const { verdict, detail } = classify(same, foreign);
    const isPublic = list.isPublic(fn);
    const answers = verdict === 'open' || verdict === 'csrf-only';
    // A function the audit never reached was not audited: that fails whatever `errors` says.
    const unreached = !reached(same);
    return {
      ...fn,
      label: labels.get(fn)!,
      method,
      verdict,
      detail,
      public: isPublic,
      exposed: !isPublic && (answers || unreached || (verdict === 'error' && errors === 'fail')),
      sameOrigin: same,
      foreignOrigin: foreign,
    };
  };

  if (discovery.functions.length === 0) {
    throw new Error(
      `start-guard audit: the build in ${discovery.manifestFiles.join(', ')} has no server functions: ` +
        'nothing to audit (is it the right build?)',
    );
  }
  const labels = uniqueLabels(discovery.functions);
  const functions = await mapLimited(discovery.functions, concurrency, auditOne);
  if (!functions.some((f) => reached(f.sameOrigin))) throw new Error(nothingReached(target, functions));
  const exposed = functions.filter((f) => f.exposed);
  const notes = [...discovery.notes];
  for (const f of functions) {
    if (f.public && f.verdict === 'protected') {
      notes.push(`${f.label} is listed as public but refuses callers without a session`);
    }
    if (!f.exposed && !f.public && f.verdict === 'error')
      notes.push(`${f.label}: ${f.detail} (errors: 'warn')`);
  }
  return {
    url: target.href,
    ok: exposed.length === 0 && list.unknown.length === 0,
    functions,
    exposed,
    unknownPublic: list.unknown,
    notes,
  };
}

/** Runs the audit and throws an Error whose message is the report's table when it fails. */
export async function assertNoExposedServerFns(options: AuditOptions): Promise<AuditReport> {
  const report = await auditServerFns(options);
  if (!report.ok) {
    const error = new Error(`start-guard audit failed\n${formatAuditReport(report)}`);
    (error as Error & { report: AuditReport }).report = report;
    throw error;
  }
  return report;
}

/** Whether the call reached Start's handler for this function (an answer the audit can judge). */
function reached(p: Probe): boolean {
  return p.outcome !== 'failed' && p.outcome !== 'not-start' && p.outcome !== 'unknown-id';
}

/** Why an audit that reached no function cannot say anything: it fails (exit 2), never passes. */
function nothingReached(target: URL, functions: AuditedServerFn[]): string {
  const where = `${target.origin}${target.pathname}`;
  const first = functions[0]!.sameOrigin;
  const why = functions.every((f) => f.sameOrigin.outcome === 'failed')
    ? `no answer from ${where} (${first.detail}): is the server running?`
    : functions.every((f) => f.sameOrigin.outcome === 'unknown-id')
      ? `the server at ${where} knows none of the ${functions.length} server-function ids of this build: ` +
        'it is not running this build (rebuild, or point --root/--dist at the build it serves)'
      : `no call reached Start's server-function handler at ${where} (${first.detail ?? first.outcome}): ` +
        "is --server-fn-base Start's serverFns.base?";
  return `start-guard audit: nothing was audited: ${why}`;
}

/** Each function's label, with the id added where two functions would share one. */
function uniqueLabels(fns: readonly DiscoveredServerFn[]): Map<DiscoveredServerFn, string> {
  const count = new Map<string, number>();
  for (const fn of fns) count.set(label(fn), (count.get(label(fn)) ?? 0) + 1);
  return new Map(
    fns.map((fn) => {
      const l = label(fn);
      return [fn, count.get(l)! > 1 && fn.file !== undefined ? `${l} (${fn.id.slice(0, 12)})` : l];
    }),
  );
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
