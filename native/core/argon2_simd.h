/* C interface of the fill_segment dispatcher (argon2_simd.c); C++ callers use argon2_simd.hpp. */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

enum { SG_ARGON2_SSE2 = 0, SG_ARGON2_AVX2 = 1, SG_ARGON2_AVX512F = 2 };

/* Sets the level every later fill_segment call uses; the caller checks the CPU has it. */
void sg_argon2_set_level(int level);

#ifdef __cplusplus
}
#endif
