// PHC strings: what the parser accepts (any parameter order, the old form without v=) and what
// it refuses (missing, duplicated, unknown or out-of-range fields, non-canonical base64, absurd
// m/t/p before any memory is taken).
#include <sodium.h>

#include <catch2/catch.hpp>
#include <string>

#include "phc.hpp"

namespace {

namespace a2 = sg::argon2;
using sg::phc::Argon2Hash;
using sg::phc::Ceilings;

bool parse(const std::string& s, Argon2Hash* out = nullptr, Ceilings c = Ceilings{}) {
  Argon2Hash h;
  const bool ok = sg::phc::parse_argon2(s.data(), s.size(), c, h);
  if (out != nullptr) *out = h;
  return ok;
}

const std::string kSalt = "c29tZXNhbHQ";  // "somesalt"
const std::string kTag = "9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ";

std::string with(const std::string& params, const std::string& head = "$argon2id$v=19$") {
  return head + params + "$" + kSalt + "$" + kTag;
}

}  // namespace

TEST_CASE("PHC: the canonical form, node-argon2's m,p,t order and the form without v=", "[phc]") {
  Argon2Hash h;
  REQUIRE(parse(with("m=19456,t=2,p=1"), &h));
  REQUIRE(h.params.variant == a2::Variant::id);
  REQUIRE(h.params.version == 0x13);
  REQUIRE(h.params.m_kib == 19456);
  REQUIRE(h.params.t == 2);
  REQUIRE(h.params.p == 1);
  REQUIRE(h.salt.size() == 8);
  REQUIRE(h.tag.size() == 32);
  REQUIRE(h.keyid.empty());
  REQUIRE(parse(with("m=65536,p=4,t=3"), &h));
  REQUIRE((h.params.m_kib == 65536 && h.params.t == 3 && h.params.p == 4));
  REQUIRE(parse(with("t=3,p=4,m=65536")));
  REQUIRE(parse("$argon2i$m=65536,t=2,p=1$" + kSalt + "$" + kTag, &h));
  REQUIRE(h.params.variant == a2::Variant::i);
  REQUIRE(h.params.version == 0x10);
  REQUIRE(parse(with("m=64,t=1,p=1", "$argon2d$v=16$"), &h));
  REQUIRE(h.params.variant == a2::Variant::d);
  REQUIRE(h.params.version == 0x10);
}

TEST_CASE("PHC: keyid and data", "[phc]") {
  Argon2Hash h;
  REQUIRE(parse(with("m=64,t=1,p=1,keyid=k2026-01"), &h));
  REQUIRE(h.keyid == "k2026-01");
  REQUIRE(parse(with("keyid=Zm9v,m=64,t=1,p=1,data=YWQ"), &h));
  REQUIRE(h.keyid == "Zm9v");
  REQUIRE(std::string(h.ad.begin(), h.ad.end()) == "ad");
  REQUIRE_FALSE(parse(with("m=64,t=1,p=1,keyid=")));
  REQUIRE_FALSE(parse(with("m=64,t=1,p=1,keyid=a$b")));
  REQUIRE_FALSE(parse(with("m=64,t=1,p=1,keyid=a_b")));
  REQUIRE_FALSE(parse(with("m=64,t=1,p=1,keyid=" + std::string(65, 'k'))));
  REQUIRE_FALSE(parse(with("m=64,t=1,p=1,data=YWR")));  // non-canonical last character
  REQUIRE_FALSE(parse(with("m=64,t=1,p=1,keyid=a,keyid=b")));
}

TEST_CASE("PHC: missing, duplicated, unknown and malformed fields are refused", "[phc]") {
  for (const char* params : {"m=64,t=1",
                             "m=64,p=1",
                             "t=1,p=1",
                             "m=64,t=1,p=1,m=64",
                             "m=64,t=1,p=1,t=1",
                             "m=64,t=1,p=1,x=1",
                             "m=64,t=1,p=1,",
                             ",m=64,t=1,p=1",
                             "m=64,,t=1,p=1",
                             "m=064,t=1,p=1",
                             "m=+64,t=1,p=1",
                             "m=-64,t=1,p=1",
                             "m=64 ,t=1,p=1",
                             "m=64,t=1,p=1 ",
                             "m=,t=1,p=1",
                             "m=64,t=0,p=1",
                             "m=64,t=1,p=0",
                             "m=4294967296,t=1,p=1",
                             "m=64;t=1;p=1",
                             "M=64,t=1,p=1",
                             "m=64,t=1,p=1,keyid",
                             "m=0x40,t=1,p=1",
                             ""}) {
    INFO(params);
    REQUIRE_FALSE(parse(with(params)));
  }
  REQUIRE_FALSE(parse(with("m=64,t=1,p=1", "$argon2id$v=18$")));
  REQUIRE_FALSE(parse(with("m=64,t=1,p=1", "$argon2id$v=019$")));
  REQUIRE_FALSE(parse(with("m=64,t=1,p=1", "$argon2id$v=$")));
  REQUIRE_FALSE(parse(with("m=64,t=1,p=1", "$argon2ix$v=19$")));
  REQUIRE_FALSE(parse(with("m=64,t=1,p=1", "$argon2$v=19$")));
  REQUIRE_FALSE(parse(with("m=64,t=1,p=1", "$Argon2id$v=19$")));
  REQUIRE_FALSE(parse(with("m=64,t=1,p=1", "argon2id$v=19$")));
  REQUIRE_FALSE(parse(with("m=64,t=1,p=1", "$argon2id$v=19$v=19$")));
  REQUIRE_FALSE(parse("$argon2id$v=19$m=64,t=1,p=1$" + kSalt));
  REQUIRE_FALSE(parse("$argon2id$v=19$m=64,t=1,p=1$" + kSalt + "$"));
  REQUIRE_FALSE(parse("$argon2id$v=19$m=64,t=1,p=1$$" + kTag));
  REQUIRE_FALSE(parse(with("m=64,t=1,p=1") + "$"));
  REQUIRE_FALSE(parse(with("m=64,t=1,p=1") + "$x"));
  REQUIRE_FALSE(parse(with("m=64,t=1,p=1") + "="));
  REQUIRE_FALSE(parse(""));
  REQUIRE_FALSE(parse("$"));
  REQUIRE_FALSE(parse("$2b$10$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyzABCDE"));
}

TEST_CASE("PHC: base64 must be canonical, unpadded, and of allowed lengths", "[phc]") {
  const std::string head = "$argon2id$v=19$m=64,t=1,p=1$";
  REQUIRE(parse(head + kSalt + "$" + kTag));
  REQUIRE_FALSE(parse(head + kSalt + "=$" + kTag));                     // padding
  REQUIRE_FALSE(parse(head + "c29tZXNhbHR$" + kTag));                   // stray bits in the salt
  REQUIRE_FALSE(parse(head + kSalt + "$" + kTag.substr(0, 42) + "R"));  // stray bits in the tag
  REQUIRE_FALSE(parse(head + "c29tZXNhbH-$" + kTag));                   // base64url alphabet
  // Bytes over 0x7f that libsodium 1.0.18 decodes as '/' (found by fuzz_phc).
  REQUIRE_FALSE(parse(head + kSalt + "$" + "9cTbSlTio3Biev89thdrl\xb2\xb4iCaYsjjYVJxGAL6swxpQ"));
  REQUIRE(parse(head + kSalt + "$" + "9cTbSlTio3Biev89thdrl//iCaYsjjYVJxGAL6swxpQ"));
  REQUIRE_FALSE(parse(head + "c29tZXNhbH$" + kTag));                 // 7 bytes
  REQUIRE_FALSE(parse(head + "c29tZXNh$" + kTag));                   // 6-byte salt: too short
  REQUIRE_FALSE(parse(head + kSalt + "$" + "YWJj"));                 // 3-byte tag: too short
  REQUIRE(parse(head + kSalt + "$" + "YWJjZA"));                     // 4 bytes: the minimum
  REQUIRE_FALSE(parse(head + kSalt + "$" + "a"));                    // one character: never valid
  REQUIRE_FALSE(parse(head + std::string(87, 'A') + "$" + kTag));    // 65-byte salt
  REQUIRE_FALSE(parse(head + kSalt + "$" + std::string(172, 'A')));  // 129-byte tag
}

TEST_CASE("PHC: ceilings refuse absurd parameters before any allocation", "[phc]") {
  Ceilings c;
  c.max_m_kib = 65536;
  c.max_t = 4;
  c.max_p = 2;
  REQUIRE(parse(with("m=65536,t=4,p=2"), nullptr, c));
  REQUIRE_FALSE(parse(with("m=65537,t=4,p=2"), nullptr, c));
  REQUIRE_FALSE(parse(with("m=65536,t=5,p=2"), nullptr, c));
  REQUIRE_FALSE(parse(with("m=65536,t=4,p=3"), nullptr, c));
  REQUIRE_FALSE(parse(with("m=4294967295,t=4294967295,p=16777215")));  // default ceilings
  REQUIRE_FALSE(parse(with("m=15,t=1,p=2")));                          // m < 8p
  REQUIRE(parse(with("m=16,t=1,p=2")));
  REQUIRE_FALSE(parse(with("m=64,t=1,p=1") + std::string(1100, 'A')));  // over the length cap
}

TEST_CASE("PHC: encode writes m,t,p then keyid and data, and parses back", "[phc]") {
  const uint8_t salt[16] = {1, 2, 3}, tag[32] = {9, 8, 7}, ad[3] = {'a', 'd', '!'};
  const a2::Params p{a2::Variant::i, 0x10, 4096, 3, 2};
  const std::string s = sg::phc::encode_argon2(p, "pep1", ad, sizeof ad, salt, 16, tag, 32);
  REQUIRE(s.rfind("$argon2i$v=16$m=4096,t=3,p=2,keyid=pep1,data=YWQh$", 0) == 0);
  Argon2Hash h;
  REQUIRE(parse(s, &h));
  REQUIRE(h.keyid == "pep1");
  REQUIRE(h.ad == std::vector<uint8_t>(ad, ad + 3));
  REQUIRE(h.salt == std::vector<uint8_t>(salt, salt + 16));
  REQUIRE(h.tag == std::vector<uint8_t>(tag, tag + 32));
  const std::string plain = sg::phc::encode_argon2({a2::Variant::id, 0x13, 19456, 2, 1}, "",
                                                   nullptr, 0, salt, 16, tag, 32);
  REQUIRE(plain.rfind("$argon2id$v=19$m=19456,t=2,p=1$AQIDAAAAAAAAAAAAAAAAAA$", 0) == 0);
}
