// The only file that touches the native binding. It is loaded lazily, on first use, once per
// thread: importing start-guard (for example from a route file that also runs in the browser)
// costs nothing until a server-side function runs.
import type { Binding } from '../types/binding';
import { StartGuardError } from './errors';

let binding: Binding | undefined;

/** False in the browser build (lib/native.browser.ts), where constructors are inert. */
export const serverRuntime = true;

export function native(): Binding {
  return binding ?? (binding = load());
}

function load(): Binding {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new StartGuardError(
      'ERR_NATIVE_LOAD',
      `start-guard ships a binary for linux-x64 only; this is ${process.platform}-${process.arch}`,
    );
  }
  const manifest = require('../../prebuilds/linux-x64/manifest.json') as { glibc: string };
  checkGlibc(manifest.glibc);
  let loaded: Binding;
  try {
    // A static path, so deployment tracers (nft, Vercel, Netlify) copy the binary and the
    // shared libraries beside it (found through RUNPATH $ORIGIN).
    loaded = require('../../prebuilds/linux-x64/start_guard.node') as Binding;
  } catch (cause) {
    throw new StartGuardError(
      'ERR_NATIVE_LOAD',
      'the native binding could not be loaded (prebuilds/linux-x64/start_guard.node). ' +
        'If a bundler copied start-guard into a server bundle, mark it external ' +
        "(Vite: ssr: { external: ['start-guard'] }).",
      { cause },
    );
  }
  loaded.setErrorClass(StartGuardError as never);
  return loaded;
}

function checkGlibc(floor: string): void {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)
    ?.header;
  const runtime = header?.glibcVersionRuntime;
  if (runtime === undefined) {
    throw new StartGuardError(
      'ERR_NATIVE_LOAD',
      `start-guard needs glibc >= ${floor} (musl is not supported)`,
    );
  }
  if (compareVersions(runtime, floor) < 0) {
    throw new StartGuardError(
      'ERR_NATIVE_LOAD',
      `start-guard needs glibc >= ${floor}; this system has ${runtime}`,
    );
  }
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
