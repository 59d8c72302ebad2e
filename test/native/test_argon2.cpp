// The Argon2 engine (reference opt.c per SIMD level): RFC 9106 and reference-library vectors,
// every level against the others, and a differential run against libsodium's crypto_pwhash.
#include <sodium.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "argon2_engine.hpp"
#include "argon2_simd.hpp"
#include "phc.hpp"
#include "random.hpp"

namespace {

namespace a2 = sg::argon2;

std::string hex(const std::vector<uint8_t>& v) {
  std::string s(v.size() * 2 + 1, '\0');
  sodium_bin2hex(s.data(), s.size(), v.data(), v.size());
  s.pop_back();
  return s;
}

a2::Bytes bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
// Literals point at static storage (a temporary std::string would dangle).
a2::Bytes bytes(const char* s) { return {reinterpret_cast<const uint8_t*>(s), std::strlen(s)}; }

std::vector<uint8_t> hash(const a2::Params& p, const a2::Inputs& in, size_t tag_len = 32,
                          a2::Arena* arena = nullptr) {
  std::vector<uint8_t> out(tag_len);
  REQUIRE(a2::hash_raw(p, in, out.data(), out.size(), arena) == 0);
  return out;
}

// Restores the level chosen at load when a test that forces levels ends.
struct KeepLevel {
  a2::Simd saved = a2::simd_current();
  ~KeepLevel() { a2::simd_force(saved); }
};

// RFC 9106 section 5: m = 32 KiB, t = 3, p = 4, with secret and associated data.
const std::string kPwd(32, '\x01'), kSalt(16, '\x02'), kSecret(8, '\x03'), kAd(12, '\x04');
a2::Inputs rfc_inputs() { return {bytes(kPwd), bytes(kSalt), bytes(kSecret), bytes(kAd)}; }

}  // namespace

TEST_CASE("RFC 9106 vectors, Argon2d/i/id, at every SIMD level", "[argon2]") {
  KeepLevel keep;
  const struct {
    a2::Variant v;
    const char* tag;
  } cases[] = {
      {a2::Variant::d, "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb"},
      {a2::Variant::i, "c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8"},
      {a2::Variant::id, "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"},
  };
  for (a2::Simd level : a2::simd_available()) {
    INFO(a2::simd_name(level));
    REQUIRE(a2::simd_force(level));
    for (const auto& c : cases) {
      const a2::Params p{c.v, a2::kVersion13, 32, 3, 4};
      REQUIRE(hex(hash(p, rfc_inputs())) == c.tag);
    }
  }
}

TEST_CASE("reference library vectors for version 0x10 and 0x13", "[argon2]") {
  const a2::Inputs in{bytes("password"), bytes("somesalt"), {}, {}};
  const struct {
    a2::Variant v;
    uint32_t version;
    const char* tag;
  } cases[] = {
      {a2::Variant::i, a2::kVersion10,
       "f6c4db4a54e2a370627aff3db6176b94a2a209a62c8e36152711802f7b30c694"},
      {a2::Variant::i, a2::kVersion13,
       "c1628832147d9720c5bd1cfd61367078729f6dfb6f8fea9ff98158e0d7816ed0"},
      {a2::Variant::d, a2::kVersion13,
       "955e5d5b163a1b60bba35fc36d0496474fba4f6b59ad53628666f07fb2f93eaf"},
      {a2::Variant::id, a2::kVersion10,
       "980ebd24a4e667f16346f9d4a78b175728783613e0cc6fb17c2ec884b16435df"},
  };
  for (const auto& c : cases) {
    const a2::Params p{c.v, c.version, 65536, 2, 1};
    REQUIRE(hex(hash(p, in)) == c.tag);
  }
  // The reference KAT for Argon2id v=16 with secret and associated data.
  const a2::Params p{a2::Variant::id, a2::kVersion10, 32, 3, 4};
  REQUIRE(hex(hash(p, rfc_inputs())) ==
          "b64615f07789b66b645b67ee9ed3b377ae350b6bfcbb0fc95141ea8f322613c0");
}

TEST_CASE("every SIMD level gives the same tags on random inputs", "[argon2]") {
  KeepLevel keep;
  const auto levels = a2::simd_available();
  REQUIRE(levels.front() == a2::Simd::sse2);
  for (int n = 0; n < 40; ++n) {
    uint8_t r[64];
    sg::random_fill(r, sizeof r);
    const a2::Params p{static_cast<a2::Variant>(r[0] % 3),
                       r[1] & 1 ? a2::kVersion13 : a2::kVersion10, 8u * (1 + r[2] % 4) + r[3] % 200,
                       1u + r[4] % 3, 1u + r[5] % 4};
    const a2::Params fixed{p.variant, p.version, std::max(p.m_kib, 8 * p.p), p.t, p.p};
    const a2::Inputs in{{r + 8, r[6] % 24u}, {r + 32, 8u + r[7] % 16}, {r + 48, r[6] & 8u}, {}};
    std::vector<uint8_t> first;
    for (a2::Simd level : levels) {
      REQUIRE(a2::simd_force(level));
      const auto tag = hash(fixed, in, 16 + r[6] % 48);
      if (first.empty()) first = tag;
      REQUIRE(tag == first);
    }
  }
}

TEST_CASE("differential against libsodium crypto_pwhash (Argon2id and Argon2i, v1.3, p=1)",
          "[argon2]") {
  a2::Arena arena;
  for (int n = 0; n < 300; ++n) {
    uint8_t r[96];
    sg::random_fill(r, sizeof r);
    const bool id = (r[0] & 1) != 0;
    // libsodium: 16-byte salt, Argon2i needs t >= 3, memory >= 8 KiB.
    const uint32_t t = id ? 1u + r[1] % 4 : 3u + r[1] % 2;
    const uint32_t m = 8u + static_cast<uint32_t>((r[2] | (r[3] << 8)) % 512);
    const size_t pwlen = r[4] % 64, taglen = 16 + r[5] % 49;
    const a2::Params p{id ? a2::Variant::id : a2::Variant::i, a2::kVersion13, m, t, 1};
    const a2::Inputs in{{r + 16, pwlen}, {r + 80, 16}, {}, {}};
    std::vector<uint8_t> ours = hash(p, in, taglen, n % 2 ? &arena : nullptr), theirs(taglen);
    REQUIRE(crypto_pwhash(theirs.data(), taglen, reinterpret_cast<const char*>(r + 16), pwlen,
                          r + 80, t, size_t{m} * 1024,
                          id ? crypto_pwhash_ALG_ARGON2ID13 : crypto_pwhash_ALG_ARGON2I13) == 0);
    INFO("m=" << m << " t=" << t << " id=" << id);
    REQUIRE(ours == theirs);
  }
}

TEST_CASE("OWASP parameters agree with libsodium, in a reused arena and without", "[argon2]") {
  a2::Arena arena;
  REQUIRE(arena.reserve(a2::memory_bytes({a2::Variant::id, a2::kVersion13, 19456, 2, 1})));
  for (int n = 0; n < 3; ++n) {
    uint8_t pw[20], salt[16];
    sg::random_fill(pw, sizeof pw);
    sg::random_fill(salt, sizeof salt);
    const a2::Params p{a2::Variant::id, a2::kVersion13, 19456, 2, 1};
    const a2::Inputs in{{pw, sizeof pw}, {salt, sizeof salt}, {}, {}};
    std::vector<uint8_t> theirs(32);
    REQUIRE(crypto_pwhash(theirs.data(), 32, reinterpret_cast<const char*>(pw), sizeof pw, salt, 2,
                          19456 * 1024, crypto_pwhash_ALG_ARGON2ID13) == 0);
    REQUIRE(hash(p, in, 32, &arena) == theirs);
    REQUIRE(hash(p, in, 32, nullptr) == theirs);
  }
}

TEST_CASE("p > 1 computed on one thread verifies in libsodium", "[argon2]") {
  for (uint32_t lanes = 2; lanes <= 4; ++lanes) {
    uint8_t pw[12], salt[16];
    sg::random_fill(pw, sizeof pw);
    sg::random_fill(salt, sizeof salt);
    const a2::Params p{a2::Variant::id, a2::kVersion13, 256 * lanes, 2, lanes};
    const auto tag = hash(p, {{pw, sizeof pw}, {salt, sizeof salt}, {}, {}});
    const std::string phc =
        sg::phc::encode_argon2(p, "", nullptr, 0, salt, sizeof salt, tag.data(), tag.size());
    INFO(phc);
    REQUIRE(crypto_pwhash_str_verify(phc.c_str(), reinterpret_cast<const char*>(pw), sizeof pw) ==
            0);
    pw[0] ^= 1;
    REQUIRE(crypto_pwhash_str_verify(phc.c_str(), reinterpret_cast<const char*>(pw), sizeof pw) !=
            0);
  }
}

TEST_CASE("the arena is reused, grown when needed, and left alone for larger hashes", "[argon2]") {
  a2::Arena arena;
  const a2::Params small{a2::Variant::id, a2::kVersion13, 64, 1, 1};
  const a2::Params big{a2::Variant::id, a2::kVersion13, 1024, 1, 1};
  const a2::Inputs in{bytes("pw"), bytes("saltsalt"), {}, {}};
  REQUIRE(arena.reserve(a2::memory_bytes(small)));
  uint8_t* first = arena.data();
  const auto a = hash(small, in, 32, &arena);
  REQUIRE(arena.data() == first);
  // Too big for the arena: mapped for the call, the arena untouched.
  REQUIRE(hash(big, in, 32, &arena) == hash(big, in, 32, nullptr));
  REQUIRE(arena.data() == first);
  REQUIRE(arena.capacity() == a2::memory_bytes(small));
  // The library wiped the blocks before giving the arena back.
  for (size_t i = 0; i < arena.capacity(); ++i) REQUIRE(arena.data()[i] == 0);
  REQUIRE(hash(small, in, 32, &arena) == a);
  REQUIRE(arena.reserve(a2::memory_bytes(big)));
  REQUIRE(arena.capacity() == a2::memory_bytes(big));
  REQUIRE(a2::memory_bytes({a2::Variant::id, a2::kVersion13, 19456, 2, 1}) == 19456u * 1024);
  REQUIRE(a2::memory_bytes({a2::Variant::id, a2::kVersion13, 19457, 2, 4}) == 19456u * 1024);
  REQUIRE(a2::memory_bytes({a2::Variant::id, a2::kVersion13, 8, 2, 4}) == 32u * 1024);
}

TEST_CASE("bad parameters are errors, not crashes", "[argon2]") {
  uint8_t out[32];
  const a2::Inputs in{bytes("pw"), bytes("saltsalt"), {}, {}};
  REQUIRE(a2::hash_raw({a2::Variant::id, 0x12, 64, 1, 1}, in, out, 32, nullptr) != 0);
  REQUIRE(a2::hash_raw({a2::Variant::id, a2::kVersion13, 64, 0, 1}, in, out, 32, nullptr) != 0);
  REQUIRE(a2::hash_raw({a2::Variant::id, a2::kVersion13, 7, 1, 1}, in, out, 32, nullptr) != 0);
  REQUIRE(a2::hash_raw({a2::Variant::id, a2::kVersion13, 64, 1, 1}, in, out, 3, nullptr) != 0);
  const a2::Inputs short_salt{bytes("pw"), bytes("salt"), {}, {}};
  REQUIRE(a2::hash_raw({a2::Variant::id, a2::kVersion13, 64, 1, 1}, short_salt, out, 32, nullptr) !=
          0);
  REQUIRE(std::string(a2::error_message(-2)).size() > 0);
}

TEST_CASE("the dispatcher starts on the best level and refuses none it has", "[argon2]") {
  KeepLevel keep;
  REQUIRE(a2::simd_current() == a2::simd_best());
  for (a2::Simd s : a2::simd_available()) REQUIRE(a2::simd_force(s));
  a2::Simd parsed;
  REQUIRE(a2::simd_from_name("avx2", parsed));
  REQUIRE(parsed == a2::Simd::avx2);
  REQUIRE_FALSE(a2::simd_from_name("neon", parsed));
}
