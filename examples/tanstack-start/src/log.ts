// The security log: one line per start-guard event on stderr. Events never carry a token, a
// password or an e-mail address; they carry the user id, the session id and the client's IP.
import type { StartGuardEvent } from 'start-guard';

export function logEvent(event: StartGuardEvent): void {
  const { type, at, ...rest } = event;
  const fields = Object.entries(rest)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  process.stderr.write(`[event] ${new Date(at).toISOString()} ${type} ${fields}\n`);
}
