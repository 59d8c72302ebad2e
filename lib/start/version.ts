// Start is not a declared peer dependency (see framework.ts), so its version is checked here, once,
// with an error that says what to do.
import { createRequire } from 'node:module';
import { StartGuardError } from 'start-guard';

export const MIN_START_VERSION = '1.169.0';
let checked = false;

export function checkStartVersion(): void {
  if (checked) return;
  let version: string;
  try {
    const require = createRequire(import.meta.url);
    version = (require('@tanstack/react-start/package.json') as { version: string }).version;
  } catch (cause) {
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      `start-guard/start needs @tanstack/react-start >= ${MIN_START_VERSION} installed in the app (npm install @tanstack/react-start)`,
      { cause },
    );
  }
  if (compare(version, MIN_START_VERSION) < 0) {
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      `start-guard/start needs @tanstack/react-start >= ${MIN_START_VERSION}; this app has ${version}`,
    );
  }
  checked = true;
}

function compare(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map(Number);
  const pb = b.split(/[.+-]/).map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d !== 0) return d;
  }
  return 0;
}
