// Run in the copy by scripts/example-app.sh (EXAMPLE_OVERLAY): the benchmark's public functions
// join the example's public list.
import { readFileSync, writeFileSync } from 'node:fs';

const file = 'src/public-server-fns.json';
const list = JSON.parse(readFileSync(file, 'utf8'));
list.push(
  'src/functions/bench.ts#benchOpen',
  'src/functions/bench.ts#benchCpu',
  'src/functions/bench.ts#benchLoadUser',
);
writeFileSync(file, JSON.stringify(list, null, 2) + '\n');
