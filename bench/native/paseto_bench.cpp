// Microbenchmark for the v4.local hot path (unseal of a session-sized token). Not part of the
// test suite; build by hand from the repository root:
//   g++ -std=c++17 -O2 -Inative/core bench/native/paseto_bench.cpp native/core/*.cpp
//       -lsodium -o /tmp/paseto_bench   (then run /tmp/paseto_bench)
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "paserk.hpp"
#include "paseto_v4_local.hpp"
#include "random.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Best of several rounds: the minimum is the least disturbed by the machine's other work.
template <typename F>
double ns_per_op(F&& f, int iters) {
  double best = 1e300;
  for (int round = 0; round < 7; ++round) {
    const auto t0 = Clock::now();
    for (int i = 0; i < iters; ++i) f();
    const auto t1 = Clock::now();
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / iters;
    if (ns < best) best = ns;
  }
  return best;
}

const uint8_t* u8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

}  // namespace

int main() {
  if (sodium_init() < 0) return 1;
  uint8_t raw[32];
  sg::random_fill(raw, sizeof raw);
  const sg::paseto::LocalKey key(raw);

  // ~130 bytes, shaped like a session payload.
  const std::string payload =
      R"({"data":{"sid":"Zx3kP0c1vQe8mW2rT5yL7a","uid":"user-42"},"jti":"q9R2sV8wX1yZ",)"
      R"("iat":"2025-01-01T00:00:00Z","exp":"2025-01-01T00:30:00Z"})";
  const std::string footer = R"({"kid":")" + sg::paserk::k4_lid(raw) + R"("})";
  const std::string implicit = "start-guard/session/v1";

  const std::string tok_plain = sg::paseto::v4_local_encrypt(
      key, u8(payload), payload.size(), nullptr, 0, u8(implicit), implicit.size());
  const std::string tok_kid = sg::paseto::v4_local_encrypt(
      key, u8(payload), payload.size(), u8(footer), footer.size(), u8(implicit), implicit.size());

  const int n = 200000;
  volatile size_t sink = 0;
  std::string out, out_footer;

  const double dec_plain = ns_per_op(
      [&] {
        if (!sg::paseto::v4_local_decrypt(key, tok_plain.data(), tok_plain.size(), u8(implicit),
                                          implicit.size(), out))
          std::abort();
        sink = sink + out.size();
      },
      n);
  const double dec_kid = ns_per_op(
      [&] {
        if (!sg::paseto::v4_local_decrypt(key, tok_kid.data(), tok_kid.size(), u8(implicit),
                                          implicit.size(), out, &out_footer))
          std::abort();
        sink = sink + out.size();
      },
      n);
  const double dec_fresh = ns_per_op(
      [&] {
        std::string fresh;  // a new output string every time, as a binding would have
        if (!sg::paseto::v4_local_decrypt(key, tok_plain.data(), tok_plain.size(), u8(implicit),
                                          implicit.size(), fresh))
          std::abort();
        sink = sink + fresh.size();
      },
      n);
  const double dec_reject = ns_per_op(
      [&] {
        std::string bad = tok_plain;
        bad[20] = bad[20] == 'A' ? 'B' : 'A';
        if (sg::paseto::v4_local_decrypt(key, bad.data(), bad.size(), u8(implicit), implicit.size(),
                                         out))
          std::abort();
      },
      n);
  const double enc = ns_per_op(
      [&] {
        const std::string t = sg::paseto::v4_local_encrypt(
            key, u8(payload), payload.size(), nullptr, 0, u8(implicit), implicit.size());
        sink = sink + t.size();
      },
      n);
  const double key_setup = ns_per_op(
      [&] {
        const sg::paseto::LocalKey k(raw);
        sink = sink + k.bytes()[0];
      },
      n);

  // Reference point: libsodium's XChaCha20-Poly1305 open of the same payload.
  uint8_t aead_c[512], aead_m[512], aead_n[24];
  unsigned long long clen = 0, mlen = 0;
  randombytes_buf(aead_n, sizeof aead_n);
  crypto_aead_xchacha20poly1305_ietf_encrypt(aead_c, &clen, u8(payload), payload.size(), nullptr, 0,
                                             nullptr, aead_n, raw);
  const double aead = ns_per_op(
      [&] {
        if (crypto_aead_xchacha20poly1305_ietf_decrypt(aead_m, &mlen, nullptr, aead_c, clen,
                                                       nullptr, 0, aead_n, raw) != 0)
          std::abort();
        sink = sink + mlen;
      },
      n);

  std::printf("payload %zu B, token %zu chars (no footer), %zu chars (kid footer)\n",
              payload.size(), tok_plain.size(), tok_kid.size());
  std::printf("v4.local decrypt, no footer, reused output : %8.0f ns/op\n", dec_plain);
  std::printf("v4.local decrypt, kid footer, reused output: %8.0f ns/op\n", dec_kid);
  std::printf("v4.local decrypt, no footer, fresh output  : %8.0f ns/op\n", dec_fresh);
  std::printf("v4.local decrypt, tampered (rejected)      : %8.0f ns/op\n", dec_reject);
  std::printf("v4.local encrypt, no footer                : %8.0f ns/op\n", enc);
  std::printf("LocalKey construction                      : %8.0f ns/op\n", key_setup);
  std::printf("xchacha20poly1305 open (reference)         : %8.0f ns/op\n", aead);
  return sink == 0 ? 1 : 0;
}
