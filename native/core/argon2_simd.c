/* The Argon2 reference library's fill_segment, chosen at run time. opt.c picks its SIMD path at
 * compile time, so CMake builds it once per level with fill_segment renamed
 * (sg_fill_segment_<level>); core.c calls fill_segment, which lands here. The level is set once
 * at load from the CPU's features (argon2_simd.hpp); tests and benchmarks may force another. */
#include <stdatomic.h>

#include "argon2_simd.h"
#include "core.h"

void sg_fill_segment_sse2(const argon2_instance_t *instance, argon2_position_t position);
void sg_fill_segment_avx2(const argon2_instance_t *instance, argon2_position_t position);
void sg_fill_segment_avx512f(const argon2_instance_t *instance, argon2_position_t position);

typedef void (*sg_fill_fn)(const argon2_instance_t *, argon2_position_t);

/* Every level computes the same blocks, so a switch between two segments of one hash is
 * harmless; relaxed ordering is enough. */
static _Atomic(sg_fill_fn) sg_fill = sg_fill_segment_sse2;

void fill_segment(const argon2_instance_t *instance, argon2_position_t position) {
  atomic_load_explicit(&sg_fill, memory_order_relaxed)(instance, position);
}

void sg_argon2_set_level(int level) {
  sg_fill_fn fn = sg_fill_segment_sse2;
  if (level == SG_ARGON2_AVX2) fn = sg_fill_segment_avx2;
  if (level == SG_ARGON2_AVX512F) fn = sg_fill_segment_avx512f;
  atomic_store_explicit(&sg_fill, fn, memory_order_relaxed);
}
