// The C floor of the Argon2 engine: the reference opt.c at each SIMD level, called from C++ with
// no Node-API, at OWASP's m=19456 KiB, t=2, p=1. Also where the time goes: the per-pass cost
// (t=1 vs t=3), the fixed cost per call, page faults with and without a reused arena, and
// libsodium's crypto_pwhash beside it. Built by npm run bench (CMake target argon2_bench).
#include <sodium.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "argon2_engine.hpp"
#include "argon2_simd.hpp"

namespace {

namespace a2 = sg::argon2;
using Clock = std::chrono::steady_clock;

long minor_faults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

struct Sample {
  double ms;
  double faults;
};

// Median over rounds of the mean of `n` hashes.
template <typename F>
Sample measure(F&& f, int n, int rounds) {
  std::vector<double> ms;
  long faults = 0;
  for (int r = 0; r < rounds; ++r) {
    const long f0 = minor_faults();
    const auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) f();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / n);
    faults += minor_faults() - f0;
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], static_cast<double>(faults) / (n * rounds)};
}

}  // namespace

int main() {
  if (sodium_init() < 0) return 1;
  uint8_t pw[16] = {1}, salt[16] = {2}, tag[32];
  const a2::Inputs in{{pw, sizeof pw}, {salt, sizeof salt}, {}, {}};
  const a2::Params owasp{a2::Variant::id, a2::kVersion13, 19456, 2, 1};
  a2::Arena arena;
  arena.reserve(a2::memory_bytes(owasp));
  const int n = 10, rounds = 5;
  std::printf("Argon2id m=19456 KiB t=2 p=1, median of %d rounds of %d hashes\n", rounds, n);
  const a2::Simd best = a2::simd_current();
  for (a2::Simd level : a2::simd_available()) {
    a2::simd_force(level);
    a2::hash_raw(owasp, in, tag, 32, &arena);  // warm
    const Sample with = measure([&] { a2::hash_raw(owasp, in, tag, 32, &arena); }, n, rounds);
    const Sample without = measure([&] { a2::hash_raw(owasp, in, tag, 32, nullptr); }, n, rounds);
    a2::Params t1 = owasp, t3 = owasp;
    t1.t = 1;
    t3.t = 3;
    const Sample s1 = measure([&] { a2::hash_raw(t1, in, tag, 32, &arena); }, n, rounds);
    const Sample s3 = measure([&] { a2::hash_raw(t3, in, tag, 32, &arena); }, n, rounds);
    const double pass = (s3.ms - s1.ms) / 2, fixed = s1.ms - pass;
    std::printf(
        "  %-8s arena %6.2f ms (%5.0f faults)  fresh mmap %6.2f ms (%5.0f faults)  per pass %5.2f "
        "ms, fixed %5.2f ms\n",
        a2::simd_name(level), with.ms, with.faults, without.ms, without.faults, pass, fixed);
  }
  a2::simd_force(best);
  const Sample sodium = measure(
      [&] {
        if (crypto_pwhash(tag, 32, reinterpret_cast<const char*>(pw), sizeof pw, salt, 2,
                          19456 * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0) {
          std::abort();
        }
      },
      n, rounds);
  std::printf("  libsodium crypto_pwhash %6.2f ms (%5.0f faults)\n", sodium.ms, sodium.faults);
  // The wipe the reference library does before handing memory back (19 MiB memset).
  std::vector<uint8_t> buf(19456 * 1024, 1);
  const Sample wipe = measure([&] { sodium_memzero(buf.data(), buf.size()); }, n, rounds);
  std::printf("  wiping 19 MiB (sodium_memzero) %5.2f ms\n", wipe.ms);
  return 0;
}
