// The verdict on one server function, from the attacker's two calls (no cookie; same origin, then a
// foreign one). Only start-guard's own refusal proves the function refuses callers without a
// session: it is thrown by middleware before the handler runs. Anything else that is not data
// (an app's own check, a validator error, a redirect) leaves the question open: 'error'.
import type { Probe } from './probe.js';

export type Verdict =
  /** Refused without a session by a start-guard guard (401/403), before its handler. */
  | 'protected'
  /** Answered without a session, from any origin. */
  | 'open'
  /** Answered without a session from the app's origin; only the CSRF check refused a foreign one.
   * A browser on another site cannot use it; curl can. */
  | 'csrf-only'
  /** Neither: the audit cannot tell (see the detail). */
  | 'error';

// Refusals for the caller's identity, thrown before the handler: what 'protected' means.
const SESSION_REFUSALS = new Set(['ERR_UNAUTHENTICATED', 'ERR_FORBIDDEN', 'ERR_REAUTH_REQUIRED']);

export function classify(same: Probe, foreign: Probe | undefined): { verdict: Verdict; detail: string } {
  if (same.outcome === 'refused' && same.code !== undefined && SESSION_REFUSALS.has(same.code)) {
    return { verdict: 'protected', detail: `refused without a session (${same.code})` };
  }
  // A sign-in function refusing an empty form ran its handler: it is reachable without a session.
  if (
    same.outcome === 'answered' ||
    (same.outcome === 'refused' && same.code === 'ERR_INVALID_CREDENTIALS')
  ) {
    const ran =
      same.outcome !== 'answered'
        ? 'ran (ERR_INVALID_CREDENTIALS)'
        : same.status >= 200 && same.status < 300
          ? 'answered'
          : `answered with ${same.detail}`;
    // CSRF-only when the foreign call met start-guard's own CSRF refusal, not any 403.
    if (foreign?.outcome === 'refused' && foreign.code === 'ERR_CSRF') {
      return {
        verdict: 'csrf-only',
        detail: `${ran} without a session; a foreign origin was refused (${foreign.code ?? 403})`,
      };
    }
    return {
      verdict: 'open',
      detail:
        foreign?.outcome === 'answered'
          ? `${ran} without a session, from a foreign origin too`
          : `${ran} without a session`,
    };
  }
  return { verdict: 'error', detail: unclear(same) };
}

function unclear(p: Probe): string {
  switch (p.outcome) {
    case 'refused':
      return p.code === 'ERR_CSRF'
        ? 'the CSRF check refused even the same-origin call, so the audit could not see past it ' +
            '(is startOptions() in src/start.ts? is --origin the app origin?)'
        : `start-guard refused with ${p.code}, which is not a refusal for lack of a session`;
    case 'thrown':
      return (
        `threw without a session (${p.status}${p.message ? `: ${p.message}` : ''}${p.detail ? `; ${p.detail}` : ''}); ` +
        "not start-guard's refusal, so whether the handler ran is unknown"
      );
    case 'redirect':
      return `redirected (${p.detail}): not start-guard's refusal, so whether the handler ran is unknown`;
    case 'wrong-method':
      return 'answered 405 to GET and to POST';
    case 'unknown-id':
      return 'the server does not know this id: is it running this build?';
    case 'not-start':
    case 'failed':
      return p.detail ?? p.outcome;
    default:
      return p.outcome;
  }
}
