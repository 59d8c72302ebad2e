// One call to a server function, as an attacker makes it: no cookie, the headers Start's client
// sends, a minimal seroval payload; and what came back, read without trusting the status alone
// (an error thrown in a handler or middleware comes back as a 200).
import { decodeAnswer, pluginTag } from './seroval.js';

export type Method = 'GET' | 'POST';

export type ProbeOutcome =
  /** The function ran and returned (data, a raw Response or a stream). */
  | 'answered'
  /** start-guard refused the call: `x-start-guard-error`, and start-guard's serialized error with that code. */
  | 'refused'
  /** Something else threw: the app's own check, a validator, the handler, a thrown Response. */
  | 'thrown'
  | 'redirect'
  /** 405: the function takes the other method. */
  | 'wrong-method'
  /** The server has no function with this id (another build is running). */
  | 'unknown-id'
  /** Not an answer from Start's server-function handler (a page, a proxy, a wrong base path). */
  | 'not-start'
  /** No answer: connection refused, timeout. */
  | 'failed';

export interface Probe {
  method: Method;
  outcome: ProbeOutcome;
  /** HTTP status; 0 when the request failed. */
  status: number;
  /** The start-guard code of a refusal (the `x-start-guard-error` header). */
  code?: string;
  /** The error's message, for 'thrown' and 'refused' (cut to 200 characters). */
  message?: string;
  detail?: string;
}

export interface ProbeRequest {
  /** The function's id (the last segment of `url`). */
  id: string;
  url: string;
  method: Method;
  payload: string;
  origin: string;
  /** 'same-origin' or 'cross-site': what a browser would send in Sec-Fetch-Site. */
  site: 'same-origin' | 'cross-site';
  timeoutMs: number;
}

const MAX_BODY_BYTES = 256 * 1024;

export async function probe(req: ProbeRequest): Promise<Probe> {
  const headers: Record<string, string> = {
    'x-tsr-serverFn': 'true',
    accept: 'application/json',
    origin: req.origin,
    'sec-fetch-site': req.site,
    'sec-fetch-mode': 'cors',
    'user-agent': 'start-guard-audit',
  };
  let url = req.url;
  let body: string | undefined;
  if (req.method === 'GET') url += `?payload=${encodeURIComponent(req.payload)}`;
  else {
    body = req.payload;
    headers['content-type'] = 'application/json';
  }
  const signal = AbortSignal.timeout(req.timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { method: req.method, headers, body, redirect: 'manual', signal });
  } catch (error) {
    return { method: req.method, outcome: 'failed', status: 0, detail: describeFailure(error) };
  }
  // Only a JSON answer (or a short error text) needs its body; a framed stream or a raw Response is
  // an answer by its headers alone, and may never end.
  const type = res.headers.get('content-type') ?? '';
  const raw = res.headers.get('x-tss-raw');
  const needsBody =
    raw !== 'true' &&
    (type.includes('application/json') || type.startsWith('text/plain') || raw === 'thrown');
  if (!needsBody) res.body?.cancel().catch(() => {});
  return read(req.id, req.method, res, needsBody ? await readCapped(res) : '');
}

// The tag Start gives start-guard's serialization adapter (`$TSR/t/` + its key 'start-guard/error').
const GUARD_ERROR_TAG = '$TSR/t/start-guard/error';
const UNKNOWN_ID = 'Server function info not found for ';

function read(id: string, method: Method, res: Response, text: string): Probe {
  const status = res.status;
  const h = res.headers;
  const code = h.get('x-start-guard-error') ?? undefined;
  const serialized = h.get('x-tss-serialized') === 'true';
  const raw = h.get('x-tss-raw');
  const type = h.get('content-type') ?? '';
  const base = { method, status };
  // Whatever the status and headers say, a body that is the function's result means it ran.
  const despite = code !== undefined ? ` despite x-start-guard-error: ${code}` : '';
  const ranWith = (what: string) =>
    status >= 200 && status < 300 && code === undefined ? what : `${what} (status ${status}${despite})`;

  if (status === 405) return { ...base, outcome: 'wrong-method', detail: text.slice(0, 100) };
  const location = h.get('location');
  if ((status >= 300 && status < 400) || location !== null) {
    return { ...base, outcome: 'redirect', detail: location ?? `status ${status}` };
  }
  if (raw === 'thrown') {
    return { ...base, outcome: 'thrown', detail: `a thrown Response (${status})`, message: cut(text) };
  }
  if (raw === 'true') return { ...base, outcome: 'answered', detail: ranWith('a raw Response') };
  if (serialized && type.includes('application/json')) {
    const decoded = decodeAnswer(text);
    if (decoded.kind === 'result') {
      if (/redirect/i.test(pluginTag(decoded.value) ?? '')) {
        return { ...base, outcome: 'redirect', detail: 'a serialized redirect' };
      }
      return { ...base, outcome: 'answered', detail: ranWith('a result') };
    }
    if (decoded.kind === 'error') {
      // start-guard's own refusal, and nothing else: the header, a 4xx/5xx, and start-guard's
      // serialized error carrying the same code (an app's Error with the same text is not it).
      const guard = guardError(decoded.value);
      if (
        code !== undefined &&
        status >= 400 &&
        guard !== undefined &&
        guard.code === code &&
        decoded.message?.startsWith(code)
      ) {
        return { ...base, outcome: 'refused', code, message: cut(decoded.message) };
      }
      // Start's resolver for this very id; the same text for another id is the handler's error.
      if (decoded.message === UNKNOWN_ID + id) {
        return { ...base, outcome: 'unknown-id', message: cut(decoded.message) };
      }
      return {
        ...base,
        outcome: 'thrown',
        ...(code !== undefined ? { code } : {}),
        message: cut(decoded.message ?? '(no message)'),
        ...(code !== undefined
          ? { detail: `x-start-guard-error: ${code}, but the body is not start-guard's error` }
          : {}),
      };
    }
    if (status >= 200 && status < 300) {
      return { ...base, outcome: 'answered', detail: ranWith(`body ${decoded.reason}`) };
    }
    return { ...base, outcome: 'thrown', detail: `status ${status}, body ${decoded.reason}` };
  }
  if (serialized) {
    // A framed result (streams, deferred values): Start sends errors as JSON, so this is data.
    return { ...base, outcome: 'answered', detail: ranWith('a framed result') };
  }
  if (type.includes('application/json') && isSerializedRedirect(text)) {
    // A redirect thrown by a server function: Start 1.169 answers 200 with its JSON, unserialized.
    return { ...base, outcome: 'redirect', detail: 'a redirect thrown by the function' };
  }
  return {
    ...base,
    outcome: 'not-start',
    detail: `status ${status}, ${type || 'no content type'}, not from Start's server-function handler`,
  };
}

/** start-guard's error as its serialization adapter sent it: `{ code, message, status }`. */
function guardError(value: unknown): { code: string } | undefined {
  if (pluginTag(value) !== GUARD_ERROR_TAG) return undefined;
  const inner = (value as { v?: { code?: unknown } }).v;
  return typeof inner?.code === 'string' ? { code: inner.code } : undefined;
}

function isSerializedRedirect(text: string): boolean {
  try {
    const json = JSON.parse(text) as { isSerializedRedirect?: unknown };
    return typeof json === 'object' && json !== null && json.isSerializedRedirect === true;
  } catch {
    return false;
  }
}

/** The body as text, at most MAX_BODY_BYTES (a streaming answer may never end). */
async function readCapped(res: Response): Promise<string> {
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // Timed out or reset while streaming: the headers already tell what kind of answer it was.
  } finally {
    reader.cancel().catch(() => {});
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES));
}

function describeFailure(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'no answer in time';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}

function cut(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
