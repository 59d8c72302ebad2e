#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "base64url.hpp"
#include "json_mini.hpp"
#include "paseto_v4_local.hpp"
#include "random.hpp"

using sg::paseto::LocalKey;

namespace {

std::vector<uint8_t> hex(const std::string& h) {
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    throw std::runtime_error("bad hex");
  };
  if (h.size() % 2 != 0) throw std::runtime_error("odd hex");
  std::vector<uint8_t> out;
  for (size_t i = 0; i < h.size(); i += 2)
    out.push_back(static_cast<uint8_t>(nib(h[i]) * 16 + nib(h[i + 1])));
  return out;
}

const uint8_t* u8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

const json_mini::Value& vectors() {
  static const json_mini::Value v =
      json_mini::parse_file(std::string(SG_VECTORS_DIR) + "/paseto-v4-local.json");
  return v;
}

std::string encrypt(const LocalKey& key, const std::string& msg, const std::string& footer = "",
                    const std::string& implicit = "") {
  return sg::paseto::v4_local_encrypt(key, u8(msg), msg.size(), u8(footer), footer.size(),
                                      u8(implicit), implicit.size());
}

bool decrypt(const LocalKey& key, const std::string& token, const std::string& implicit = "",
             std::string* msg = nullptr, std::string* footer = nullptr) {
  std::string m = "junk left by the caller", f = "junk";
  const bool ok = sg::paseto::v4_local_decrypt(key, token.data(), token.size(), u8(implicit),
                                               implicit.size(), m, &f);
  if (!ok) {
    // A failure never hands back anything, not even the ciphertext.
    REQUIRE(m.empty());
    REQUIRE(f.empty());
  }
  if (msg != nullptr) *msg = m;
  if (footer != nullptr) *footer = f;
  return ok;
}

struct RandomKey {
  uint8_t bytes[32];
  RandomKey() { sg::random_fill(bytes, sizeof bytes); }
};

const std::string kPayload130 =
    R"({"data":{"sid":"Zx3kP0c1vQe8mW2rT5yL7a","uid":"user-42"},"jti":"q9R2sV8wX1yZ",)"
    R"("iat":"2025-01-01T00:00:00Z","exp":"2025-01-01T00:30:00Z"})";

}  // namespace

TEST_CASE("the vector file is the repository copy and holds the official set", "[paseto]") {
  const auto& tests = vectors()["tests"].items;
  REQUIRE(tests.size() == 13);
  size_t fails = 0;
  for (const auto& t : tests) fails += t["expect-fail"].boolean ? 1 : 0;
  CHECK(fails == 4);
}

TEST_CASE("official v4.local vectors: encryption with the given nonce gives the exact token",
          "[paseto][vectors]") {
  for (const auto& t : vectors()["tests"].items) {
    if (t["expect-fail"].boolean) continue;
    SECTION(t["name"].str) {
      const auto key_bytes = hex(t["key"].str);
      const auto nonce = hex(t["nonce"].str);
      REQUIRE(key_bytes.size() == 32);
      REQUIRE(nonce.size() == 32);
      const LocalKey key(key_bytes.data());
      const std::string& payload = t["payload"].str;
      const std::string& footer = t["footer"].str;
      const std::string& implicit = t["implicit-assertion"].str;
      CHECK(sg::paseto::v4_local_encrypt(key, u8(payload), payload.size(), u8(footer),
                                         footer.size(), u8(implicit), implicit.size(),
                                         nonce.data()) == t["token"].str);
    }
  }
}

TEST_CASE("official v4.local vectors: decryption gives the exact payload and footer",
          "[paseto][vectors]") {
  for (const auto& t : vectors()["tests"].items) {
    if (t["expect-fail"].boolean) continue;
    SECTION(t["name"].str) {
      const auto key_bytes = hex(t["key"].str);
      const LocalKey key(key_bytes.data());
      std::string msg, footer;
      REQUIRE(decrypt(key, t["token"].str, t["implicit-assertion"].str, &msg, &footer));
      CHECK(msg == t["payload"].str);
      CHECK(footer == t["footer"].str);
      std::string split_footer = "junk";
      REQUIRE(
          sg::paseto::v4_local_footer(t["token"].str.data(), t["token"].str.size(), split_footer));
      CHECK(split_footer == t["footer"].str);
      // The message-only form (no footer_out) works too.
      std::string only;
      CHECK(sg::paseto::v4_local_decrypt(key, t["token"].str.data(), t["token"].str.size(),
                                         u8(t["implicit-assertion"].str),
                                         t["implicit-assertion"].str.size(), only));
      CHECK(only == t["payload"].str);
    }
  }
}

TEST_CASE("official v4.local failure vectors do not decrypt", "[paseto][vectors]") {
  const auto e1_key = hex(vectors()["tests"].items.at(0)["key"].str);
  const LocalKey vector_key(e1_key.data());
  RandomKey rk;
  const LocalKey random_key(rk.bytes);
  for (const auto& t : vectors()["tests"].items) {
    if (!t["expect-fail"].boolean) continue;
    SECTION(t["name"].str) {
      const std::string& token = t["token"].str;
      const std::string& implicit = t["implicit-assertion"].str;
      if (t.has("key")) {
        const auto key_bytes = hex(t["key"].str);
        const LocalKey key(key_bytes.data());
        CHECK_FALSE(decrypt(key, token, implicit));
      }
      // 4-F-1 carries only a public key: no local key of ours may open it either.
      CHECK_FALSE(decrypt(vector_key, token, implicit));
      CHECK_FALSE(decrypt(random_key, token, implicit));
    }
  }
}

TEST_CASE("4-F-4 fails because its base64url is non-canonical, not only because of the tag",
          "[paseto][vectors]") {
  const auto& tests = vectors()["tests"].items;
  const auto& f4 = tests.at(12);
  REQUIRE(f4["name"].str == "4-F-4");
  const std::string body = f4["token"].str.substr(sg::paseto::kV4LocalHeaderLen);
  std::string out;
  CHECK_FALSE(sg::base64url_decode(body.data(), body.size(), out));
  std::string footer;
  CHECK(sg::paseto::v4_local_footer(f4["token"].str.data(), f4["token"].str.size(), footer));
  // Same token as 4-E-1 except for the last character.
  const std::string& e1 = tests.at(0)["token"].str;
  CHECK(e1.substr(0, e1.size() - 1) == f4["token"].str.substr(0, e1.size() - 1));
}

TEST_CASE("round trips with random nonces", "[paseto]") {
  RandomKey rk;
  const LocalKey key(rk.bytes);
  for (size_t len : {0, 1, 31, 32, 63, 64, 65, 130, 1000, 70000}) {
    std::string msg(len, '\0');
    if (len > 0) sg::random_fill(reinterpret_cast<uint8_t*>(&msg[0]), len);
    for (const std::string footer : {"", "{\"kid\":\"k4.lid.x\"}"}) {
      for (const std::string implicit : {"", "start-guard/session/v1"}) {
        const std::string token = encrypt(key, msg, footer, implicit);
        CHECK(token.rfind("v4.local.", 0) == 0);
        CHECK((token.find('.', 9) != std::string::npos) == !footer.empty());
        std::string out, out_footer;
        REQUIRE(decrypt(key, token, implicit, &out, &out_footer));
        CHECK(out == msg);
        CHECK(out_footer == footer);
        // A fresh nonce every time: the same input never gives the same token.
        CHECK(encrypt(key, msg, footer, implicit) != token);
      }
    }
  }
}

TEST_CASE("two LocalKey objects from the same bytes are interchangeable", "[paseto]") {
  RandomKey rk;
  const LocalKey a(rk.bytes);
  const LocalKey b(rk.bytes);
  CHECK(std::memcmp(a.bytes(), rk.bytes, 32) == 0);
  std::string out;
  CHECK(decrypt(b, encrypt(a, kPayload130, "f", "i"), "i", &out));
  CHECK(out == kPayload130);
}

TEST_CASE("every tampered byte and character is refused", "[paseto]") {
  RandomKey rk;
  const LocalKey key(rk.bytes);
  const std::string footer = R"({"kid":"k4.lid.iVtYQDjr5gEijCSjJC3fQaJm7nCeQSeaty0Jixy8dbsk"})";
  const std::string implicit = "start-guard/session/v1";
  const std::string token = encrypt(key, kPayload130, footer, implicit);
  REQUIRE(decrypt(key, token, implicit));

  const size_t dot = token.find('.', 9);
  REQUIRE(dot != std::string::npos);
  std::string body;
  REQUIRE(sg::base64url_decode(token.data() + 9, dot - 9, body));
  REQUIRE(body.size() == 32 + kPayload130.size() + 32);

  SECTION("each bit position class of each byte of n || c || t") {
    for (size_t i = 0; i < body.size(); ++i) {
      for (int mask : {0x01, 0x80}) {
        std::string b = body;
        b[i] = static_cast<char>(b[i] ^ mask);
        const std::string t =
            "v4.local." + sg::base64url_encode(u8(b), b.size()) + token.substr(dot);
        REQUIRE_FALSE(decrypt(key, t, implicit));
      }
    }
  }
  SECTION("each byte of the footer") {
    for (size_t i = 0; i < footer.size(); ++i) {
      std::string f = footer;
      f[i] = static_cast<char>(f[i] ^ 0x01);
      const std::string t = token.substr(0, dot + 1) + sg::base64url_encode(u8(f), f.size());
      REQUIRE_FALSE(decrypt(key, t, implicit));
    }
  }
  SECTION("each character of the token") {
    for (size_t i = 0; i < token.size(); ++i) {
      for (char c : {'A', 'B', 'g', 'h', '-', '_', '.', '=', '+', '/'}) {
        if (token[i] == c) continue;
        std::string t = token;
        t[i] = c;
        REQUIRE_FALSE(decrypt(key, t, implicit));
      }
    }
  }
  SECTION("every truncation and extension") {
    for (size_t len = 0; len < token.size(); ++len) {
      REQUIRE_FALSE(decrypt(key, token.substr(0, len), implicit));
    }
    for (const char* extra : {".", "A", "AA", "=", " ", "\n", ".AA"}) {
      REQUIRE_FALSE(decrypt(key, token + extra, implicit));
    }
  }
}

TEST_CASE("wrong key or wrong implicit assertion is refused", "[paseto]") {
  RandomKey rk, other;
  const LocalKey key(rk.bytes);
  const LocalKey wrong(other.bytes);
  const std::string token = encrypt(key, kPayload130, "", "purpose-a");
  CHECK(decrypt(key, token, "purpose-a"));
  CHECK_FALSE(decrypt(wrong, token, "purpose-a"));
  CHECK_FALSE(decrypt(key, token, ""));
  CHECK_FALSE(decrypt(key, token, "purpose-b"));
  CHECK_FALSE(decrypt(key, token, "purpose-a "));
  CHECK_FALSE(decrypt(key, token, std::string("purpose-a\0", 10)));
  // No assertion at seal time means any non-empty one at unseal time fails.
  const std::string plain = encrypt(key, kPayload130);
  CHECK(decrypt(key, plain));
  CHECK_FALSE(decrypt(key, plain, "x"));
  // A key differing in one bit.
  uint8_t near[32];
  std::memcpy(near, rk.bytes, 32);
  near[31] ^= 1;
  CHECK_FALSE(decrypt(LocalKey(near), token, "purpose-a"));
}

TEST_CASE("footer forms", "[paseto]") {
  RandomKey rk;
  const LocalKey key(rk.bytes);
  const std::string with = encrypt(key, kPayload130, "footer-1");
  const std::string without = encrypt(key, kPayload130);
  const size_t dot = with.find('.', 9);
  std::string footer;

  SECTION("none") {
    CHECK(without.find('.', 9) == std::string::npos);
    CHECK(decrypt(key, without, "", nullptr, &footer));
    CHECK(footer.empty());
    CHECK(sg::paseto::v4_local_footer(without.data(), without.size(), footer));
    CHECK(footer.empty());
  }
  SECTION("present") {
    CHECK(decrypt(key, with, "", nullptr, &footer));
    CHECK(footer == "footer-1");
    footer.clear();
    CHECK(sg::paseto::v4_local_footer(with.data(), with.size(), footer));
    CHECK(footer == "footer-1");
  }
  SECTION("replaced, removed or added") {
    CHECK_FALSE(decrypt(key, with.substr(0, dot + 1) + sg::base64url_encode(u8("footer-2"), 8)));
    CHECK_FALSE(decrypt(key, with.substr(0, dot)));
    CHECK_FALSE(decrypt(key, without + "." + sg::base64url_encode(u8("footer-1"), 8)));
    // Moving a footer between tokens of the same key.
    const std::string other = encrypt(key, kPayload130, "footer-2");
    CHECK_FALSE(decrypt(key, with.substr(0, dot) + other.substr(other.find('.', 9))));
  }
  SECTION("a trailing '.' with an empty footer") {
    CHECK_FALSE(decrypt(key, without + "."));
    CHECK_FALSE(sg::paseto::v4_local_footer((without + ".").data(), without.size() + 1, footer));
  }
  SECTION("a footer with non-canonical or foreign base64") {
    const std::string b64 = with.substr(dot + 1);  // "Zm9vdGVyLTE": 8 bytes, 4 unused bits
    REQUIRE(b64.back() == 'E');
    CHECK_FALSE(decrypt(key, with.substr(0, dot + 1) + b64.substr(0, b64.size() - 1) + "F"));
    CHECK_FALSE(decrypt(key, with + "="));
    CHECK_FALSE(decrypt(key, with + ".Zg"));  // a second '.' is not a base64url character
    CHECK_FALSE(sg::paseto::v4_local_footer((with + "=").data(), with.size() + 1, footer));
  }
}

TEST_CASE("malformed tokens are refused without throwing", "[paseto]") {
  RandomKey rk;
  const LocalKey key(rk.bytes);
  const std::string token = encrypt(key, kPayload130);
  const std::string body = token.substr(9);
  std::string msg, footer;

  SECTION("wrong or missing header") {
    for (const std::string& bad :
         {"v3.local." + body, "v4.public." + body, "V4.local." + body, "v4.local" + body,
          "v4.local.." + body, "v4.loca." + body, " v4.local." + body, body}) {
      CHECK_FALSE(decrypt(key, bad));
      CHECK_FALSE(sg::paseto::v4_local_footer(bad.data(), bad.size(), footer));
    }
  }
  SECTION("empty and null") {
    CHECK_FALSE(decrypt(key, ""));
    CHECK_FALSE(decrypt(key, "v4.local."));
    CHECK_FALSE(sg::paseto::v4_local_decrypt(key, nullptr, 0, nullptr, 0, msg));
    CHECK_FALSE(sg::paseto::v4_local_decrypt(key, nullptr, 5, nullptr, 0, msg));
    CHECK_FALSE(sg::paseto::v4_local_footer(nullptr, 0, footer));
  }
  SECTION("a body shorter than nonce and tag") {
    for (size_t len : {0, 1, 32, 63}) {
      std::vector<uint8_t> b(len, 0x41);
      const std::string t = "v4.local." + sg::base64url_encode(b.data(), b.size());
      CHECK_FALSE(decrypt(key, t));
      CHECK_FALSE(sg::paseto::v4_local_footer(t.data(), t.size(), footer));
    }
    // 64 bytes is well-formed (an empty message) but random bytes do not authenticate.
    std::vector<uint8_t> b(64);
    sg::random_fill(b.data(), b.size());
    const std::string t = "v4.local." + sg::base64url_encode(b.data(), b.size());
    CHECK_FALSE(decrypt(key, t));
    CHECK(sg::paseto::v4_local_footer(t.data(), t.size(), footer));
  }
  SECTION("an empty message is a valid 64-byte body") {
    const std::string t = encrypt(key, "");
    CHECK(t.size() == 9 + sg::base64url_encoded_len(64));
    CHECK(decrypt(key, t, "", &msg));
    CHECK(msg.empty());
  }
  SECTION("non-canonical base64url in the body") {
    // A 130-byte payload makes a 194-byte body: 194 % 3 == 2, so the last character has two
    // unused bits; setting one keeps every data bit and must still be refused.
    REQUIRE((32 + kPayload130.size() + 32) % 3 == 2);
    const char last = token.back();
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const size_t idx = static_cast<size_t>(std::strchr(alphabet, last) - alphabet);
    REQUIRE(idx % 4 == 0);
    std::string t = token;
    t.back() = alphabet[idx + 1];
    CHECK_FALSE(decrypt(key, t));
    CHECK_FALSE(decrypt(key, token + "="));
    CHECK_FALSE(decrypt(key, token + "=="));
    std::string plus = token, slash = token;
    const size_t dash = body.find('-'), under = body.find('_');
    if (dash != std::string::npos) {
      plus[9 + dash] = '+';
      CHECK_FALSE(decrypt(key, plus));
    }
    if (under != std::string::npos) {
      slash[9 + under] = '/';
      CHECK_FALSE(decrypt(key, slash));
    }
    std::string spaced = token;
    spaced.insert(20, " ");
    CHECK_FALSE(decrypt(key, spaced));
    spaced = token;
    spaced.insert(20, "\n");
    CHECK_FALSE(decrypt(key, spaced));
    spaced = token;
    spaced.insert(20, std::string(1, '\0'));
    CHECK_FALSE(decrypt(key, spaced));
  }
  SECTION("bytes outside the alphabet that libsodium 1.0.18 alone would read as '_'") {
    // Find a token whose body has '_' (and "__"), then respell it with high bytes: the decoded
    // bytes would be identical, so only the alphabet check stands between us and malleability.
    std::string t;
    for (int i = 0; i < 1000 && t.find("__", 9) == std::string::npos; ++i) {
      t = encrypt(key, kPayload130);
    }
    REQUIRE(t.find("__", 9) != std::string::npos);
    REQUIRE(decrypt(key, t));
    const size_t pos = t.find("__", 9);
    for (const std::string& spelled :
         {std::string("\xff_"), std::string("_\x80"), std::string("\xc3\xbf")}) {
      std::string bad = t;
      bad.replace(pos, 2, spelled);
      CHECK_FALSE(decrypt(key, bad));
    }
  }
  SECTION("random garbage after the header") {
    for (int i = 0; i < 2000; ++i) {
      uint8_t len_byte;
      sg::random_fill(&len_byte, 1);
      std::string junk(len_byte, '\0');
      if (!junk.empty()) sg::random_fill(reinterpret_cast<uint8_t*>(&junk[0]), junk.size());
      REQUIRE_FALSE(decrypt(key, "v4.local." + junk));
    }
  }
}
