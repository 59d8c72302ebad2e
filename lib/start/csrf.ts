// Cross-site request checks (OWASP CSRF Prevention: Fetch Metadata, then Origin, then Referer;
// ASVS 3.5.3). The same order as Start's createCsrfMiddleware, applied to every server-function
// call whatever its method (a GET server function is still an RPC with effects), and to unsafe
// methods on server routes.

export interface CsrfOptions {
  /** Other origins allowed to call (e.g. 'https://admin.example.com'); exact matches. */
  allowedOrigins?: readonly string[];
  /**
   * Server-route paths that skip the check (webhooks that authenticate otherwise): exact paths or
   * prefixes ending in '/', or a predicate. Server-function calls are never exempt.
   */
  exempt?: readonly string[] | ((request: Request, pathname: string) => boolean);
}

export type CsrfVerdict = 'allowed' | 'not-checked' | CsrfRefusal;
export type CsrfRefusal =
  | 'cross-site'
  | 'same-site'
  | 'sec-fetch-site-none'
  | 'origin-null'
  | 'origin-mismatch'
  | 'referer-mismatch'
  | 'no-origin';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

export function csrfVerdict(
  request: Request,
  pathname: string,
  handlerType: 'serverFn' | 'router',
  options: CsrfOptions,
): CsrfVerdict {
  if (handlerType === 'router') {
    if (SAFE_METHODS.has(request.method.toUpperCase())) return 'not-checked';
    if (isExempt(request, pathname, options.exempt)) return 'not-checked';
  }
  const origin = request.headers.get('origin');
  const allowed = options.allowedOrigins ?? [];
  const fetchSite = request.headers.get('sec-fetch-site');
  if (fetchSite !== null) {
    if (fetchSite === 'same-origin') return 'allowed';
    // A browser that sends Fetch Metadata also sends Origin on these requests: a listed origin
    // may call from another site; anything else (including 'none', a typed URL) is refused.
    if (origin !== null && allowed.includes(origin)) return 'allowed';
    return fetchSite === 'same-site'
      ? 'same-site'
      : fetchSite === 'none'
        ? 'sec-fetch-site-none'
        : 'cross-site';
  }
  const self = new URL(request.url).origin;
  if (origin !== null) {
    // Browsers send `Origin: null` from sandboxed frames, data: URLs and some redirects.
    if (origin === 'null') return 'origin-null';
    return origin === self || allowed.includes(origin) ? 'allowed' : 'origin-mismatch';
  }
  const referer = request.headers.get('referer');
  if (referer !== null) {
    let from: string | undefined;
    try {
      from = new URL(referer).origin;
    } catch {
      from = undefined;
    }
    return from !== undefined && (from === self || allowed.includes(from)) ? 'allowed' : 'referer-mismatch';
  }
  // No browser sends an unsafe request without any of the three: refuse, as Start does.
  return 'no-origin';
}

function isExempt(request: Request, pathname: string, exempt: CsrfOptions['exempt']): boolean {
  if (exempt === undefined) return false;
  if (typeof exempt === 'function') return exempt(request, pathname) === true;
  return exempt.some((p) => (p.endsWith('/') ? pathname.startsWith(p) : pathname === p));
}
