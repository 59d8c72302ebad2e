// PHC strings for Argon2: $argon2{id,i,d}[$v=19]$m=…,t=…,p=…[,keyid=…][,data=…]$salt$tag.
// Parsed strictly: parameters in any order (node-argon2 0.45 writes m,p,t) but each exactly once
// and none unknown; no v= means version 0x10 (the form before v1.3); decimal numbers without
// sign or leading zero; salt, tag and data in unpadded standard base64, canonical (no stray bits).
// Ceilings on m, t and p are checked here, before any memory is taken for a hash.
// Emitted in one form: v=, then m,t,p, then keyid and data when present.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "argon2_engine.hpp"

namespace sg::phc {

constexpr size_t kMaxLength = 1024;  // longer input is refused before it is read
constexpr size_t kMaxKeyId = 64;

struct Ceilings {
  uint32_t max_m_kib = 262144;  // 256 MiB
  uint32_t max_t = 32;
  uint32_t max_p = 16;
};

struct Argon2Hash {
  argon2::Params params;
  std::string keyid;          // empty when absent; [A-Za-z0-9+/.-], 1 to 64 characters
  std::vector<uint8_t> ad;    // the data= parameter (associated data), empty when absent
  std::vector<uint8_t> salt;  // 8 to 64 bytes
  std::vector<uint8_t> tag;   // 4 to 128 bytes
};

// False for anything malformed or over the ceilings; `out` is then unspecified.
bool parse_argon2(const char* s, size_t len, const Ceilings& ceilings, Argon2Hash& out);

std::string encode_argon2(const argon2::Params& params, const std::string& keyid, const uint8_t* ad,
                          size_t ad_len, const uint8_t* salt, size_t salt_len, const uint8_t* tag,
                          size_t tag_len);

bool valid_keyid(const std::string& keyid) noexcept;
const char* variant_name(argon2::Variant v) noexcept;  // "argon2id", "argon2i", "argon2d"

}  // namespace sg::phc
