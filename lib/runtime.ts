// Facts about the native runtime, for diagnostics and the demo.
import type { CpuFeatures } from '../types/binding';
import { invalidArg } from './errors';
import { native } from './native';

export interface RuntimeInfo {
  sodium: string;
  napi: number;
  cpu: CpuFeatures;
}

export function runtimeInfo(): RuntimeInfo {
  const b = native();
  return { ...b.versions(), cpu: b.cpuFeatures() };
}

/** `size` bytes from the operating system's CSPRNG (at most 65536 per call). */
export function randomBytes(size: number): Uint8Array {
  if (typeof size !== 'number') invalidArg('size', 'a number', size);
  return native().randomBytes(size);
}
