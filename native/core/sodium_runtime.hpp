// Process-wide libsodium start-up and facts about the running CPU.
#pragma once
#include <string>

namespace sg {

// Initializes libsodium once per process (sodium_init is itself thread-safe and idempotent).
// Returns false only when the library could not start, which callers must treat as fatal.
bool sodium_ready() noexcept;

struct CpuFeatures {
  bool sse2, ssse3, sse41, avx, avx2, avx512f, aesni, pclmul, rdrand;
};

std::string sodium_version();
CpuFeatures cpu_features() noexcept;

}  // namespace sg
