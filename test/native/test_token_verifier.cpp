#include <sodium.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "key_derivation.hpp"
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
  sg::token_verifier(nullptr, f.secret, bytes(f.binding), f.binding.size(), got);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, got, 32);
  // Computed independently with Python's hashlib.blake2b(binding, digest_size=32, key=secret).
  CHECK(std::string(hex) == "b872d19caa6be165cad8452d3ad955f2b4d1da768fdb616be394b5f585663e06");
}

TEST_CASE("a verifier matches its own secret and binding only", "[token]") {
  Fixture f;
  uint8_t stored[32];
  sg::token_verifier(nullptr, f.secret, bytes(f.binding), f.binding.size(), stored);
  REQUIRE(sg::token_verifier_matches(nullptr, f.secret, bytes(f.binding), f.binding.size(), stored,
                                     32));

  SECTION("any flipped bit of the secret fails") {
    for (size_t i = 0; i < 32 * 8; ++i) {
      f.secret[i / 8] ^= static_cast<uint8_t>(1u << (i % 8));
      REQUIRE_FALSE(sg::token_verifier_matches(nullptr, f.secret, bytes(f.binding),
                                               f.binding.size(), stored, 32));
      f.secret[i / 8] ^= static_cast<uint8_t>(1u << (i % 8));
    }
  }
  SECTION("another binding (user, purpose, expiry) fails") {
    const std::string other = f.binding + "x";
    REQUIRE_FALSE(
        sg::token_verifier_matches(nullptr, f.secret, bytes(other), other.size(), stored, 32));
    REQUIRE_FALSE(sg::token_verifier_matches(nullptr, f.secret, bytes(f.binding),
                                             f.binding.size() - 1, stored, 32));
  }
  SECTION("a stored verifier of the wrong length, or altered, fails") {
    REQUIRE_FALSE(sg::token_verifier_matches(nullptr, f.secret, bytes(f.binding), f.binding.size(),
                                             stored, 31));
    REQUIRE_FALSE(sg::token_verifier_matches(nullptr, f.secret, bytes(f.binding), f.binding.size(),
                                             stored, 0));
    stored[31] ^= 1;
    REQUIRE_FALSE(sg::token_verifier_matches(nullptr, f.secret, bytes(f.binding), f.binding.size(),
                                             stored, 32));
  }
}

TEST_CASE("an empty binding is still keyed by the secret", "[token]") {
  Fixture f;
  uint8_t a[32], b[32];
  sg::token_verifier(nullptr, f.secret, nullptr, 0, a);
  f.secret[0] ^= 1;
  sg::token_verifier(nullptr, f.secret, nullptr, 0, b);
  REQUIRE(std::memcmp(a, b, 32) != 0);
}

namespace {

// The server key of the README's example secret, derived as the library derives it.
void example_key(uint8_t key[32]) {
  const std::string app = "an application secret of at least thirty-two bytes";
  sg::derive_token_key(bytes(app), app.size(), key);
}

}  // namespace

TEST_CASE("with a server key: BLAKE2b-256 keyed with the key over secret || binding", "[token]") {
  Fixture f;
  uint8_t key[32], got[32];
  example_key(key);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, key, 32);
  // Computed independently with Python: k = hashlib.blake2b(app_secret, digest_size=32,
  // key=b"start-guard/token-key/v1"); v = hashlib.blake2b(secret + binding, digest_size=32, key=k).
  CHECK(std::string(hex) == "fbe44374e841a9e7187772268e02f9dbf152ee5722a5703d3dc67c5f2332a0dd");
  sg::token_verifier(key, f.secret, bytes(f.binding), f.binding.size(), got);
  sodium_bin2hex(hex, sizeof hex, got, 32);
  CHECK(std::string(hex) == "6b1657f752289b091b56fe030bc46b0439af8db9160ed999746140f47965249c");
}

TEST_CASE("a keyed verifier needs the key: the unkeyed one, or another key's, does not match",
          "[token]") {
  Fixture f;
  uint8_t key[32], stored[32], unkeyed[32];
  example_key(key);
  sg::token_verifier(key, f.secret, bytes(f.binding), f.binding.size(), stored);
  REQUIRE(
      sg::token_verifier_matches(key, f.secret, bytes(f.binding), f.binding.size(), stored, 32));
  // What a writer of the store can make without the key: the unkeyed verifier of its own secret.
  sg::token_verifier(nullptr, f.secret, bytes(f.binding), f.binding.size(), unkeyed);
  REQUIRE_FALSE(
      sg::token_verifier_matches(key, f.secret, bytes(f.binding), f.binding.size(), unkeyed, 32));
  REQUIRE_FALSE(sg::token_verifier_matches(nullptr, f.secret, bytes(f.binding), f.binding.size(),
                                           stored, 32));
  key[0] ^= 1;
  REQUIRE_FALSE(
      sg::token_verifier_matches(key, f.secret, bytes(f.binding), f.binding.size(), stored, 32));
  key[0] ^= 1;
  const std::string other = f.binding + "x";
  REQUIRE_FALSE(sg::token_verifier_matches(key, f.secret, bytes(other), other.size(), stored, 32));
}

TEST_CASE("the token key and the sealer key of one secret differ", "[token][key]") {
  const std::string app = "an application secret of at least thirty-two bytes";
  uint8_t token_key[32], sealer_key[32];
  sg::derive_token_key(bytes(app), app.size(), token_key);
  sg::derive_sealer_key(bytes(app), app.size(), sealer_key);
  REQUIRE(std::memcmp(token_key, sealer_key, 32) != 0);
}
