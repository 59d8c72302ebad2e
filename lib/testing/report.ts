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
      `FAIL: ${report.exposed.length} server function(s) not in the public list answer without a session or could not be classified:`,
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
    const count = (v: string) => report.functions.filter((f) => f.verdict === v).length;
    out.push(
      `OK: ${count('protected')} protected, ${report.functions.filter((f) => f.public).length} public ` +
        `(${count('open')} open, ${count('csrf-only')} CSRF-only), none exposed`,
    );
  }
  return out.join('\n');
}

function answer(p: Probe): string {
  const what = p.outcome === 'refused' ? p.code! : p.outcome;
  return p.status === 0 ? what : `${p.status} ${what}`;
}
