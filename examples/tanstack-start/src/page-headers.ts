// INTERIM, until start-guard/start exports sensitivePageHeaders (branch `flows`): the headers of a
// page whose URL carries a single-use token. Referrer-Policy: no-referrer keeps the token out of
// the Referer of anything the page loads (OWASP Forgot Password Cheat Sheet); no-store keeps it out
// of caches.
export function sensitivePageHeaders(): Record<string, string> {
  return { 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' };
}
