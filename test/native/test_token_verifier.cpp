#include <sodium.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "token_verifier.hpp"

namespace {

const uint8_t* bytes(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

struct Fixture {
  uint8_t secret[32];
  std::string binding = "start-guard/token/v1 example binding";
  Fixture() {
    for (int i = 0; i < 32; ++i) secret[i] = static_cast<uint8_t>(i);
  }
};

}  // namespace

TEST_CASE("the verifier is BLAKE2b-256 keyed with the secret over the binding", "[token]") {
  Fixture f;
  uint8_t got[32];
  sg::token_verifier(f.secret, bytes(f.binding), f.binding.size(), got);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, got, 32);
  // Computed independently with Python's hashlib.blake2b(binding, digest_size=32, key=secret).
  CHECK(std::string(hex) == "b872d19caa6be165cad8452d3ad955f2b4d1da768fdb616be394b5f585663e06");
}

TEST_CASE("a verifier matches its own secret and binding only", "[token]") {
  Fixture f;
  uint8_t stored[32];
  sg::token_verifier(f.secret, bytes(f.binding), f.binding.size(), stored);
  REQUIRE(sg::token_verifier_matches(f.secret, bytes(f.binding), f.binding.size(), stored, 32));

  SECTION("any flipped bit of the secret fails") {
    for (size_t i = 0; i < 32 * 8; ++i) {
      f.secret[i / 8] ^= static_cast<uint8_t>(1u << (i % 8));
      REQUIRE_FALSE(
          sg::token_verifier_matches(f.secret, bytes(f.binding), f.binding.size(), stored, 32));
      f.secret[i / 8] ^= static_cast<uint8_t>(1u << (i % 8));
    }
  }
  SECTION("another binding (user, purpose, expiry) fails") {
    const std::string other = f.binding + "x";
    REQUIRE_FALSE(sg::token_verifier_matches(f.secret, bytes(other), other.size(), stored, 32));
    REQUIRE_FALSE(
        sg::token_verifier_matches(f.secret, bytes(f.binding), f.binding.size() - 1, stored, 32));
  }
  SECTION("a stored verifier of the wrong length, or altered, fails") {
    REQUIRE_FALSE(
        sg::token_verifier_matches(f.secret, bytes(f.binding), f.binding.size(), stored, 31));
    REQUIRE_FALSE(
        sg::token_verifier_matches(f.secret, bytes(f.binding), f.binding.size(), stored, 0));
    stored[31] ^= 1;
    REQUIRE_FALSE(
        sg::token_verifier_matches(f.secret, bytes(f.binding), f.binding.size(), stored, 32));
  }
}

TEST_CASE("an empty binding is still keyed by the secret", "[token]") {
  Fixture f;
  uint8_t a[32], b[32];
  sg::token_verifier(f.secret, nullptr, 0, a);
  f.secret[0] ^= 1;
  sg::token_verifier(f.secret, nullptr, 0, b);
  REQUIRE(std::memcmp(a, b, 32) != 0);
}
