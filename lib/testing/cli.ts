#!/usr/bin/env node
// npx start-guard audit <url>: the exposure audit for CI. Exit 0 when every server function that
// answers without a session is in the public list (and every list entry names a function), 1 when
// not, 2 when the audit could not run or reached nothing. The table (or --json) goes to stdout.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { auditServerFns } from './audit.js';
import { formatAuditReport } from './report.js';

const USAGE = `usage: start-guard audit <url> [options]

Calls every server function of the app's production build (found in <dist>/server) at <url>
without a session, as an attacker would, and fails when one answers that is not public.
Probing executes every function that answers: run it against a test deployment.

  --public <src/file.ts#name>   an intentionally public function (repeatable)
  --public-file <file.json>     a JSON array of such entries (the list startOptions({ public }) takes)
  --root <dir>                  the app's root (default: the working directory)
  --dist <dir>                  its build output (default: <root>/dist)
  --record <file>               recordServerFnIds()'s record (default: <root>/.start-guard/server-fns.json)
  --allow-remote-host           probe a host other than this machine
  --origin <origin>             the app's public origin, for same-origin calls (default: the URL's)
  --server-fn-base <path>       Start's serverFns.base (default: /_serverFn)
  --errors fail|warn            whether unclassifiable unlisted functions fail (default: fail)
  --concurrency <n>             functions probed at once (default: 4)
  --timeout-ms <ms>             per request (default: 10000)
  --json                        print the report as JSON instead of the table`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      public: { type: 'string', multiple: true },
      'public-file': { type: 'string', multiple: true },
      root: { type: 'string' },
      dist: { type: 'string' },
      record: { type: 'string' },
      'allow-remote-host': { type: 'boolean' },
      origin: { type: 'string' },
      'foreign-origin': { type: 'string' },
      'server-fn-base': { type: 'string' },
      errors: { type: 'string' },
      concurrency: { type: 'string' },
      'timeout-ms': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [command, url, ...rest] = positionals;
  if (command !== 'audit' || url === undefined || rest.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const publicList = [...(values.public ?? [])];
  for (const file of values['public-file'] ?? []) publicList.push(...readList(file));
  const report = await auditServerFns({
    url,
    public: publicList,
    root: values.root,
    dist: values.dist,
    record: values.record,
    allowRemoteHost: values['allow-remote-host'] === true,
    origin: values.origin,
    foreignOrigin: values['foreign-origin'],
    serverFnBase: values['server-fn-base'],
    errors: values.errors as 'fail' | 'warn' | undefined,
    concurrency: integer('--concurrency', values.concurrency),
    timeoutMs: integer('--timeout-ms', values['timeout-ms']),
  });
  process.stdout.write(
    values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatAuditReport(report)}\n`,
  );
  return report.ok ? 0 : 1;
}

function readList(file: string): string[] {
  const list: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(list) || !list.every((e) => typeof e === 'string')) {
    throw new TypeError(`${file} must hold a JSON array of "src/file.ts#name" strings`);
  }
  return list;
}

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new TypeError(`${flag} must be a whole number; received ${value}`);
  return Number(value);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`start-guard audit: ${error.message}\n`);
    process.exitCode = 2;
  },
);
