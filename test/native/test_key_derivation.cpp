#include <sodium.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "key_derivation.hpp"

TEST_CASE("derive_sealer_key is BLAKE2b-256 keyed with the documented context", "[key]") {
  const std::string secret = "an application secret of at least thirty-two bytes";
  uint8_t got[32], want[32];
  sg::derive_sealer_key(reinterpret_cast<const uint8_t*>(secret.data()), secret.size(), got);
  const std::string ctx = "start-guard/sealer-key/v1";
  crypto_generichash(want, 32, reinterpret_cast<const uint8_t*>(secret.data()), secret.size(),
                     reinterpret_cast<const uint8_t*>(ctx.data()), ctx.size());
  REQUIRE(std::memcmp(got, want, 32) == 0);
  // A known answer pins the context: changing it would silently invalidate every user's tokens.
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, got, 32);
  // Computed independently with Python's hashlib.blake2b(secret, digest_size=32, key=context).
  CHECK(std::string(hex) == "40091160405c38810aa102751fce150a9a5d9f16d07e3e66abeb98b560a52f92");
}

TEST_CASE("different secrets derive different keys", "[key]") {
  uint8_t a[32], b[32];
  const uint8_t s1[40] = {1}, s2[40] = {2};
  sg::derive_sealer_key(s1, sizeof s1, a);
  sg::derive_sealer_key(s2, sizeof s2, b);
  REQUIRE(std::memcmp(a, b, 32) != 0);
}
