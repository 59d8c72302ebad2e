// Run by scripts/example-app.sh in a copy of the example (EXAMPLE_OVERLAY): the same app without
// protect: 'all', so only each server function's own middleware stands between a caller and the
// data. The double-guard test checks that this alone keeps every non-public function closed.
import { writeFileSync } from 'node:fs';

writeFileSync(
  'src/start.ts',
  `import { createStart } from '@tanstack/react-start';
import { auth } from './auth';

export const startInstance = createStart(() => auth.startOptions());
`,
);
