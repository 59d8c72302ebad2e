// Which SIMD build of the Argon2 reference library's opt.c runs: chosen once at load from the
// CPU's features (through libsodium's detection, which also checks the OS saves the registers),
// and forceable by tests and benchmarks to compare the levels.
#pragma once
#include <string>
#include <vector>

namespace sg::argon2 {

enum class Simd { sse2 = 0, avx2 = 1, avx512f = 2 };

const char* simd_name(Simd level) noexcept;
bool simd_from_name(const std::string& name, Simd& out) noexcept;
bool simd_supported(Simd level) noexcept;
std::vector<Simd> simd_available();  // in ascending order; sse2 is always there
Simd simd_best() noexcept;
Simd simd_current() noexcept;
// Forces a level for every later hash in the process; false (and no change) when this CPU
// lacks it. A hash in flight may finish on either level: all give the same tag.
bool simd_force(Simd level) noexcept;

}  // namespace sg::argon2
