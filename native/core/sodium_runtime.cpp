#include "sodium_runtime.hpp"

#include <sodium.h>

namespace sg {

bool sodium_ready() noexcept {
  // sodium_init returns 1 when already initialized: both mean ready.
  static const bool ready = sodium_init() >= 0;
  return ready;
}

std::string sodium_version() { return sodium_version_string(); }

CpuFeatures cpu_features() noexcept {
  sodium_ready();  // CPU detection happens inside sodium_init.
  return CpuFeatures{sodium_runtime_has_sse2() != 0,  sodium_runtime_has_ssse3() != 0,
                     sodium_runtime_has_sse41() != 0, sodium_runtime_has_avx() != 0,
                     sodium_runtime_has_avx2() != 0,  sodium_runtime_has_avx512f() != 0,
                     sodium_runtime_has_aesni() != 0, sodium_runtime_has_pclmul() != 0,
                     sodium_runtime_has_rdrand() != 0};
}

}  // namespace sg
