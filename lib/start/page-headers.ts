// The headers of a page that carries a single-use token in its URL (a password-reset or
// verification link): Referrer-Policy: no-referrer, so the token never reaches a third party in a
// Referer (OWASP Forgot Password Cheat Sheet), and Cache-Control: no-store. Client-safe: a route
// uses it as `headers: sensitivePageHeaders`.

export function sensitivePageHeaders(): Record<string, string> {
  return { 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' };
}
