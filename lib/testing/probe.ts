// One call to a server function, as an attacker makes it: no cookie, the headers Start's client
// sends, a minimal seroval payload; and what came back, read without trusting the status alone
// (an error thrown in a handler or middleware comes back as a 200).
import { decodeAnswer, pluginTag } from './seroval.js';

export type Method = 'GET' | 'POST';

export type ProbeOutcome =
  /** The function ran and returned (data, a raw Response or a stream). */
  | 'answered'
  /** start-guard refused the call: `x-start-guard-error` and an error whose message starts with the code. */
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
  const needsBody = type.includes('application/json') || type.startsWith('text/plain') || raw === 'thrown';
  if (!needsBody) res.body?.cancel().catch(() => {});
  return read(req.method, res, needsBody ? await readCapped(res) : '');
}

function read(method: Method, res: Response, text: string): Probe {
  const status = res.status;
  const h = res.headers;
  const code = h.get('x-start-guard-error') ?? undefined;
  const serialized = h.get('x-tss-serialized') === 'true';
  const raw = h.get('x-tss-raw');
  const type = h.get('content-type') ?? '';
  const base = { method, status };

  if (status === 405) return { ...base, outcome: 'wrong-method', detail: text.slice(0, 100) };
  const location = h.get('location');
  if ((status >= 300 && status < 400) || location !== null) {
    return { ...base, outcome: 'redirect', detail: location ?? `status ${status}` };
  }
  if (raw === 'thrown') {
    return { ...base, outcome: 'thrown', detail: `a thrown Response (${status})`, message: cut(text) };
  }
  if (serialized && type.includes('application/json')) {
    const decoded = decodeAnswer(text);
    if (code !== undefined) {
      // start-guard's own refusal: the header, and an error whose message starts with the code.
      if (decoded.kind === 'error' && decoded.message?.startsWith(code) && status >= 400) {
        return { ...base, outcome: 'refused', code, message: cut(decoded.message) };
      }
      return {
        ...base,
        outcome: 'thrown',
        code,
        message: decoded.kind === 'error' ? cut(decoded.message) : undefined,
        detail: `x-start-guard-error: ${code}, but the body is not start-guard's error`,
      };
    }
    if (decoded.kind === 'error') {
      if (decoded.message?.startsWith('Server function info not found for ')) {
        return { ...base, outcome: 'unknown-id', message: cut(decoded.message) };
      }
      return { ...base, outcome: 'thrown', message: cut(decoded.message ?? '(no message)') };
    }
    if (decoded.kind === 'result' && /redirect/i.test(pluginTag(decoded.value) ?? '')) {
      return { ...base, outcome: 'redirect', detail: 'a serialized redirect' };
    }
    if (status >= 200 && status < 300) {
      return decoded.kind === 'result'
        ? { ...base, outcome: 'answered' }
        : { ...base, outcome: 'answered', detail: `body ${decoded.reason}` };
    }
    return { ...base, outcome: 'thrown', detail: `status ${status}` };
  }
  if (status >= 200 && status < 300 && (serialized || raw === 'true')) {
    // A framed result (streams, deferred values) or a Response the handler returned.
    return { ...base, outcome: 'answered', detail: serialized ? 'framed result' : 'raw Response' };
  }
  if (code !== undefined && status >= 400) {
    // A refusal that Start did not serialize (a request middleware's Response).
    return { ...base, outcome: 'refused', code, message: cut(text) };
  }
  return {
    ...base,
    outcome: 'not-start',
    detail: `status ${status}, ${type || 'no content type'}, not from Start's server-function handler`,
  };
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
