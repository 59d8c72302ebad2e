#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "base64url.hpp"
#include "random.hpp"

namespace {

// Both encoders must write the same characters.
std::string enc(const std::string& s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  std::string pub;
  sg::base64url_append_public(pub, p, s.size());
  const std::string ct = sg::base64url_encode(p, s.size());
  REQUIRE(pub == ct);
  return ct;
}

// Every test decodes with both decoders and requires them to agree: the table-driven one for
// public data must accept exactly what the constant-time one accepts, with the same output.
bool dec(const std::string& b64, std::string* out = nullptr) {
  std::string tmp, pub;
  const bool ok = sg::base64url_decode(b64.data(), b64.size(), tmp);
  const bool pub_ok = sg::base64url_decode_public(b64.data(), b64.size(), pub);
  REQUIRE(ok == pub_ok);
  REQUIRE(tmp == pub);
  if (!ok) REQUIRE(tmp.empty());  // failures leave nothing half-decoded behind
  if (out != nullptr) *out = tmp;
  return ok;
}

const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

TEST_CASE("base64url encodes the RFC 4648 vectors without padding", "[base64url]") {
  CHECK(enc("") == "");
  CHECK(enc("f") == "Zg");
  CHECK(enc("fo") == "Zm8");
  CHECK(enc("foo") == "Zm9v");
  CHECK(enc("foob") == "Zm9vYg");
  CHECK(enc("fooba") == "Zm9vYmE");
  CHECK(enc("foobar") == "Zm9vYmFy");
  // The URL-safe alphabet: standard base64 would give "+/8=".
  CHECK(enc("\xfb\xff") == "-_8");
}

TEST_CASE("base64url decodes canonical input", "[base64url]") {
  std::string out;
  for (const char* s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xfb\xff"}) {
    REQUIRE(dec(enc(s), &out));
    CHECK(out == s);
  }
}

TEST_CASE("base64url round-trips random data of every length up to 200", "[base64url]") {
  uint8_t buf[200];
  for (size_t len = 0; len <= sizeof buf; ++len) {
    sg::random_fill(buf, len);
    const std::string b64 = sg::base64url_encode(buf, len);
    REQUIRE(b64.size() == sg::base64url_encoded_len(len));
    std::string out;
    REQUIRE(dec(b64, &out));
    REQUIRE(out.size() == len);
    REQUIRE(std::memcmp(out.data(), buf, len) == 0);
  }
}

TEST_CASE("base64url rejects padding, other alphabets, whitespace and trailing bytes",
          "[base64url]") {
  CHECK_FALSE(dec("Zg=="));
  CHECK_FALSE(dec("Zg="));
  CHECK_FALSE(dec("Zm9v="));
  CHECK_FALSE(dec("+/8"));  // standard alphabet
  CHECK_FALSE(dec("-/8"));
  CHECK_FALSE(dec(" Zg"));
  CHECK_FALSE(dec("Zg "));
  CHECK_FALSE(dec("Zg\n"));
  CHECK_FALSE(dec("Zm9\tv"));
  CHECK_FALSE(dec("Zg."));
  CHECK_FALSE(dec(std::string("Zg\0", 3)));
  CHECK_FALSE(dec(std::string("Z\0g", 3)));
  // Lengths with no canonical unpadded encoding.
  CHECK_FALSE(dec("Z"));
  CHECK_FALSE(dec("Zm9vY"));
}

TEST_CASE("base64url rejects non-canonical last characters", "[base64url]") {
  // "f" is "Zg": 'g' leaves four unused bits at zero; 'h' sets one of them.
  CHECK_FALSE(dec("Zh"));
  CHECK_FALSE(dec("Zv"));
  // "fo" is "Zm8": '9' sets one of the two unused bits.
  CHECK_FALSE(dec("Zm9"));
  CHECK_FALSE(dec("-_9"));
}

TEST_CASE("base64url accepts a 2- or 3-character string exactly when it is canonical",
          "[base64url]") {
  // Every 2-byte string: only the URL-safe alphabet, only canonical forms, one per byte value.
  size_t accepted = 0;
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const std::string s{static_cast<char>(a), static_cast<char>(b)};
      std::string out;
      if (!dec(s, &out)) continue;
      REQUIRE((a != 0 && std::strchr(kAlphabet, a) != nullptr));
      REQUIRE((b != 0 && std::strchr(kAlphabet, b) != nullptr));
      REQUIRE(out.size() == 1);
      REQUIRE(enc(out) == s);
      ++accepted;
    }
  }
  CHECK(accepted == 256);
  // Every 3-character string over the alphabet: accepted iff it re-encodes to itself.
  accepted = 0;
  for (int a = 0; a < 64; ++a) {
    for (int b = 0; b < 64; ++b) {
      for (int c = 0; c < 64; ++c) {
        const std::string s{kAlphabet[a], kAlphabet[b], kAlphabet[c]};
        std::string out;
        if (dec(s, &out)) {
          REQUIRE(enc(out) == s);
          ++accepted;
        }
      }
    }
  }
  CHECK(accepted == 65536);  // exactly one encoding per 2-byte value
}

TEST_CASE("base64url decoding into a fixed buffer respects its size", "[base64url]") {
  uint8_t out[3];
  size_t len = 99;
  REQUIRE(sg::base64url_decode("Zm9v", 4, out, 3, &len));
  CHECK(len == 3);
  CHECK(std::memcmp(out, "foo", 3) == 0);
  len = 99;
  CHECK_FALSE(sg::base64url_decode("Zm9vYg", 6, out, 3, &len));
  CHECK(len == 0);
  CHECK_FALSE(sg::base64url_decode("Zh", 2, out, 3, &len));
  CHECK(len == 0);
  size_t n = 0;
  CHECK(sg::base64url_decoded_len(43, &n));
  CHECK(n == 32);
  CHECK_FALSE(sg::base64url_decoded_len(41, &n));
}

TEST_CASE("base64url rejects bytes above 0x7f (libsodium 1.0.18 alone reads them as 63)",
          "[base64url]") {
  for (int hi = 0x80; hi < 0x100; ++hi) {
    const char c = static_cast<char>(hi);
    REQUIRE_FALSE(dec(std::string{c, 'A'}));
    REQUIRE_FALSE(dec(std::string{'A', 'A', 'A', c}));
    REQUIRE_FALSE(dec(std::string{'Z', 'm', '9', 'v', c, 'w'}));
  }
  // "_w" is 0xff; with the high byte read as 63, "\xc3w" would be a second spelling of it.
  std::string out;
  REQUIRE(dec("_w", &out));
  CHECK(out == "\xff");
  CHECK_FALSE(dec("\xc3w"));
  CHECK_FALSE(dec("\xc3\xbf"));
}

TEST_CASE("the public decoder agrees with the constant-time one on random near-base64 input",
          "[base64url]") {
  // Mostly alphabet characters with occasional foreign bytes, every length up to 64.
  uint8_t noise[4096];
  sg::random_fill(noise, sizeof noise);
  size_t k = 0;
  for (int round = 0; round < 2000; ++round) {
    const size_t len = noise[k++ % sizeof noise] % 65;
    std::string s;
    for (size_t i = 0; i < len; ++i) {
      const uint8_t r = noise[k++ % sizeof noise];
      s.push_back(r < 8 ? static_cast<char>(noise[k++ % sizeof noise]) : kAlphabet[r % 64]);
    }
    dec(s);
  }
}
