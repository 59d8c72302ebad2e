#include "argon2_simd.hpp"

#include <atomic>

#include "argon2_simd.h"
#include "sodium_runtime.hpp"

namespace sg::argon2 {

namespace {

std::atomic<int> current{0};  // argon2_simd.c starts on sse2 too

}  // namespace

const char* simd_name(Simd level) noexcept {
  switch (level) {
    case Simd::avx2:
      return "avx2";
    case Simd::avx512f:
      return "avx512f";
    default:
      return "sse2";
  }
}

bool simd_from_name(const std::string& name, Simd& out) noexcept {
  for (Simd s : {Simd::sse2, Simd::avx2, Simd::avx512f}) {
    if (name == simd_name(s)) {
      out = s;
      return true;
    }
  }
  return false;
}

bool simd_supported(Simd level) noexcept {
  const CpuFeatures f = cpu_features();
  switch (level) {
    case Simd::avx2:
      return f.avx2;
    case Simd::avx512f:
      return f.avx512f && f.avx2;
    default:
      return true;
  }
}

std::vector<Simd> simd_available() {
  std::vector<Simd> out;
  for (Simd s : {Simd::sse2, Simd::avx2, Simd::avx512f})
    if (simd_supported(s)) out.push_back(s);
  return out;
}

Simd simd_best() noexcept {
  if (simd_supported(Simd::avx512f)) return Simd::avx512f;
  if (simd_supported(Simd::avx2)) return Simd::avx2;
  return Simd::sse2;
}

Simd simd_current() noexcept { return static_cast<Simd>(current.load(std::memory_order_relaxed)); }

bool simd_force(Simd level) noexcept {
  if (!simd_supported(level)) return false;
  sg_argon2_set_level(static_cast<int>(level));
  current.store(static_cast<int>(level), std::memory_order_relaxed);
  return true;
}

}  // namespace sg::argon2
