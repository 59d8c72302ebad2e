// The audit for people (a table and a verdict) and for machines (the report is plain JSON).
import type { AuditReport } from './audit.js';
import type { Probe } from './probe.js';

export function formatAuditReport(report: AuditReport): string {
  const rows = report.functions.map((f) => [
    f.exposed ? f.verdict.toUpperCase() : f.verdict,
    f.method ?? '-',
    f.label,
    f.public ? 'yes' : '',
    answer(f.sameOrigin),
    f.foreignOrigin === undefined ? '-' : answer(f.foreignOrigin),
  ]);
  const header = [
    'verdict',
    'method',
    'server function',
    'public',
    'no session, same origin',
    'foreign origin',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [
    `start-guard audit of ${report.url}: ${report.functions.length} server function(s)`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
  ];
  if (report.exposed.length > 0) {
    out.push(
      `FAIL: ${report.exposed.length} server function(s) not in the public list answer without a session, ` +
        'could not be classified, or were not reached:',
    );
    for (const f of report.exposed)
      out.push(`  ${f.label}${f.method ? ` (${f.method})` : ''}: ${f.verdict}, ${f.detail}`);
  }
  if (report.unknownPublic.length > 0) {
    out.push(
      `FAIL: ${report.unknownPublic.length} public entr${report.unknownPublic.length === 1 ? 'y names' : 'ies name'} no server function of this build:`,
    );
    for (const u of report.unknownPublic) {
      out.push(`  ${u.entry}${u.suggestion ? `: did you mean ${u.suggestion}?` : ''}`);
    }
  }
  for (const note of report.notes) out.push(`note: ${note}`);
  if (report.ok) {
    // The public functions by verdict: what "public" covers here (answers, errors, refusals).
    const publicFns = report.functions.filter((f) => f.public);
    const byVerdict = (['open', 'csrf-only', 'error', 'protected'] as const)
      .map(
        (v) =>
          [v === 'csrf-only' ? 'CSRF-only' : v, publicFns.filter((f) => f.verdict === v).length] as const,
      )
      .filter(([, n]) => n > 0)
      .map(([v, n]) => `${n} ${v}`);
    const protectedCount = report.functions.filter((f) => !f.public && f.verdict === 'protected').length;
    out.push(
      `OK: ${protectedCount} protected, ${publicFns.length} public` +
        `${byVerdict.length > 0 ? ` (${byVerdict.join(', ')})` : ''}, none exposed`,
    );
  }
  return out.join('\n');
}

function answer(p: Probe): string {
  const what = p.outcome === 'refused' ? p.code! : p.outcome;
  return p.status === 0 ? what : `${p.status} ${what}`;
}
