// The typed contract of the native binding (native/addon). Only lib/native.ts loads it.

export interface CpuFeatures {
  sse2: boolean;
  ssse3: boolean;
  sse41: boolean;
  avx: boolean;
  avx2: boolean;
  avx512f: boolean;
  aesni: boolean;
  pclmul: boolean;
  rdrand: boolean;
}

export interface Binding {
  versions(): { sodium: string; napi: number };
  cpuFeatures(): CpuFeatures;
  randomBytes(size: number): Buffer;
  setErrorClass(errorClass: new (code: string, message: string) => Error): void;
}
