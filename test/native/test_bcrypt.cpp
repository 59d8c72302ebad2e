// bcrypt through libxcrypt: the Openwall/OpenBSD vectors ($2a$, $2b$, $2y$, 8-bit and 72-byte
// cases), refusals instead of truncation, and the strict shape check.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "bcrypt.hpp"

namespace {

bool verify(const std::string& hash, const std::string& pw) {
  bool match = false;
  REQUIRE(sg::bcrypt::verify(hash.data(), hash.size(), reinterpret_cast<const uint8_t*>(pw.data()),
                             pw.size(), match) == sg::bcrypt::Result::ok);
  return match;
}

const std::string k72 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

}  // namespace

TEST_CASE("bcrypt: libcrypt is loaded at run time", "[bcrypt]") {
  REQUIRE(sg::bcrypt::unavailable_reason() == nullptr);
}

TEST_CASE("bcrypt: Openwall and OpenBSD vectors", "[bcrypt]") {
  const struct {
    const char* hash;
    std::string pw;
  } vectors[] = {
      {"$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"},
      {"$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK", "U*U*"},
      {"$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a", "U*U*U"},
      {"$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy", ""},
      {"$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui", k72},
      // 8-bit bytes: $2a$ (fixed), $2b$ and $2y$ agree on these.
      {"$2a$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq", "\xa3"},
      {"$2b$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq", "\xa3"},
      {"$2y$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq", "\xa3"},
      {"$2a$05$/OK.fbVrR/bpIqNJ5ianF.nRht2l/HRhr6zmCp9vYUvvsqynflf9e",
       "\xff\xa3"
       "345"},
      {"$2y$05$/OK.fbVrR/bpIqNJ5ianF.nRht2l/HRhr6zmCp9vYUvvsqynflf9e",
       "\xff\xa3"
       "345"},
      {"$2a$05$/OK.fbVrR/bpIqNJ5ianF.6IflQkJytoRVc1yuaNtHfiuq.FRlSIS",
       "\xa3"
       "ab"},
  };
  for (const auto& v : vectors) {
    INFO(v.hash);
    REQUIRE(verify(v.hash, v.pw));
    REQUIRE_FALSE(verify(v.hash, v.pw + "x"));
  }
}

TEST_CASE("bcrypt: never truncates; a NUL or a 73rd byte is refused", "[bcrypt]") {
  const std::string h72 = "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui";
  REQUIRE(verify(h72, k72));
  // Every other library verifies this (the 73rd byte on is ignored); start-guard does not.
  REQUIRE_FALSE(verify(h72, k72 + "chars after 72 are ignored"));
  std::string out;
  const std::string nul("ab\0cd", 5);
  REQUIRE(sg::bcrypt::hash(reinterpret_cast<const uint8_t*>(nul.data()), nul.size(), 4, out) ==
          sg::bcrypt::Result::refused);
  const std::string long_pw = k72 + "x";
  REQUIRE(sg::bcrypt::hash(reinterpret_cast<const uint8_t*>(long_pw.data()), long_pw.size(), 4,
                           out) == sg::bcrypt::Result::refused);
  REQUIRE(sg::bcrypt::hash(reinterpret_cast<const uint8_t*>(k72.data()), 72, 3, out) ==
          sg::bcrypt::Result::refused);
  REQUIRE(sg::bcrypt::hash(reinterpret_cast<const uint8_t*>(k72.data()), 72, 32, out) ==
          sg::bcrypt::Result::refused);
  // "ab" and "ab\0cd" must not verify as each other.
  REQUIRE(sg::bcrypt::hash(reinterpret_cast<const uint8_t*>("ab"), 2, 4, out) ==
          sg::bcrypt::Result::ok);
  REQUIRE(verify(out, "ab"));
  REQUIRE_FALSE(verify(out, nul));
}

TEST_CASE("bcrypt: hash writes $2b$ at the cost asked, with a fresh salt", "[bcrypt]") {
  std::string a, b;
  const auto* pw = reinterpret_cast<const uint8_t*>("correct horse");
  REQUIRE(sg::bcrypt::hash(pw, 13, 5, a) == sg::bcrypt::Result::ok);
  REQUIRE(sg::bcrypt::hash(pw, 13, 5, b) == sg::bcrypt::Result::ok);
  REQUIRE(a.rfind("$2b$05$", 0) == 0);
  REQUIRE(a.size() == 60);
  REQUIRE(a != b);
  REQUIRE(verify(a, "correct horse"));
  REQUIRE(verify(b, "correct horse"));
  REQUIRE_FALSE(verify(a, "correct horsf"));
  sg::bcrypt::Info info;
  REQUIRE(sg::bcrypt::parse(a.data(), a.size(), info));
  REQUIRE(info.minor == 'b');
  REQUIRE(info.cost == 5);
}

TEST_CASE("bcrypt: the shape check", "[bcrypt]") {
  const std::string good = "$2y$10$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui";
  sg::bcrypt::Info info;
  REQUIRE(sg::bcrypt::parse(good.data(), good.size(), info));
  REQUIRE(info.minor == 'y');
  REQUIRE(info.cost == 10);
  for (std::string bad :
       {good.substr(0, 59), good + "a", "$2x$" + good.substr(4), "$2c$" + good.substr(4),
        "$2$10" + good.substr(6), "$2b$03$" + good.substr(7), "$2b$32$" + good.substr(7),
        "$2b$1a$" + good.substr(7), "$2b$10$" + good.substr(7, 52) + "-",
        "$2b$10$" + good.substr(7, 52) + "$", std::string(60, '$')}) {
    INFO(bad);
    REQUIRE_FALSE(sg::bcrypt::parse(bad.data(), bad.size(), info));
    REQUIRE_FALSE(verify(bad, "x"));
  }
}

TEST_CASE("bcrypt: verify hashes no stored cost over its ceiling (default 15)", "[bcrypt]") {
  std::string h;
  const std::string pw = "correct horse";
  const auto* p = reinterpret_cast<const uint8_t*>(pw.data());
  REQUIRE(sg::bcrypt::hash(p, pw.size(), 5, h) == sg::bcrypt::Result::ok);
  bool match = false;
  REQUIRE(sg::bcrypt::verify(h.data(), h.size(), p, pw.size(), match, 5) == sg::bcrypt::Result::ok);
  REQUIRE(match);
  // The right password over the ceiling: false, and nothing hashed.
  REQUIRE(sg::bcrypt::verify(h.data(), h.size(), p, pw.size(), match, 4) == sg::bcrypt::Result::ok);
  REQUIRE_FALSE(match);
  // By default a $2b$16$ or $2b$31$ string is not hashed (seconds, or days, of a pool thread);
  // parse still reports its cost.
  for (const char* cost : {"16", "31"}) {
    const std::string stored = std::string("$2b$") + cost + "$" + h.substr(7);
    sg::bcrypt::Info info;
    REQUIRE(sg::bcrypt::parse(stored.data(), stored.size(), info));
    REQUIRE(info.cost == static_cast<uint32_t>(std::stoul(cost)));
    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE_FALSE(verify(stored, pw));
    REQUIRE(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(500));
  }
  REQUIRE(sg::bcrypt::kDefaultMaxVerifyCost == 15);
}
