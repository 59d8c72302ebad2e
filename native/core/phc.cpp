#include "phc.hpp"

#include <sodium.h>

#include <string_view>

namespace sg::phc {

namespace {

using std::string_view;

constexpr int kB64 = sodium_base64_VARIANT_ORIGINAL_NO_PADDING;

// Splits off the text up to the next '$' (or the end).
string_view next_field(string_view& rest) {
  const size_t at = rest.find('$');
  string_view field = rest.substr(0, at);
  rest = at == string_view::npos ? string_view() : rest.substr(at + 1);
  return field;
}

// A decimal without sign or leading zero that fits 32 bits.
bool parse_u32(string_view s, uint32_t& out) {
  if (s.empty() || s.size() > 10 || s[0] == '0') return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > 0xFFFFFFFFull) return false;
  out = static_cast<uint32_t>(v);
  return true;
}

// Unpadded standard base64, canonical: libsodium refuses leftover characters and non-zero
// padding bits, and the whole field must be consumed.
bool b64_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

bool decode_b64(string_view s, size_t min, size_t max, std::vector<uint8_t>& out) {
  if (s.empty() || s.size() > (max * 4 + 2) / 3) return false;
  // libsodium 1.0.18 decodes some bytes >= 0x80 as if they were '/' (found by fuzz_phc): the
  // alphabet is checked here first, so one tag has one spelling.
  for (char c : s)
    if (!b64_char(c)) return false;
  out.resize(s.size() * 3 / 4 + 1);
  size_t n = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), s.data(), s.size(), nullptr, &n, &end, kB64) != 0 ||
      end != s.data() + s.size() || n < min || n > max) {
    return false;
  }
  out.resize(n);
  return true;
}

bool keyid_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '.' || c == '-';
}

void append_b64(std::string& s, const uint8_t* bytes, size_t len) {
  std::string b64(sodium_base64_ENCODED_LEN(len, kB64), '\0');
  sodium_bin2base64(b64.data(), b64.size(), bytes, len, kB64);
  b64.resize(b64.size() - 1);  // the terminating NUL
  s += b64;
}

bool parse_params(string_view field, const Ceilings& c, Argon2Hash& out) {
  bool seen_m = false, seen_t = false, seen_p = false, seen_keyid = false, seen_data = false;
  while (true) {
    const size_t comma = field.find(',');
    const string_view item = field.substr(0, comma);
    const size_t eq = item.find('=');
    if (eq == string_view::npos) return false;
    const string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "m" && !seen_m) {
      seen_m = parse_u32(value, out.params.m_kib);
      if (!seen_m) return false;
    } else if (key == "t" && !seen_t) {
      seen_t = parse_u32(value, out.params.t);
      if (!seen_t) return false;
    } else if (key == "p" && !seen_p) {
      seen_p = parse_u32(value, out.params.p);
      if (!seen_p) return false;
    } else if (key == "keyid" && !seen_keyid) {
      out.keyid.assign(value.data(), value.size());
      seen_keyid = valid_keyid(out.keyid);
      if (!seen_keyid) return false;
    } else if (key == "data" && !seen_data) {
      seen_data = decode_b64(value, 1, argon2::kMaxAd, out.ad);
      if (!seen_data) return false;
    } else {
      return false;  // unknown or duplicated
    }
    if (comma == string_view::npos) break;
    field = field.substr(comma + 1);
  }
  if (!seen_m || !seen_t || !seen_p) return false;
  const argon2::Params& p = out.params;
  // Ceilings first (attacker-chosen strings must not size an allocation), then the library's
  // own lower bounds: t >= 1, p >= 1, m >= 8p.
  if (p.m_kib > c.max_m_kib || p.t > c.max_t || p.p > c.max_p) return false;
  return p.p <= argon2::kMaxLanes && p.m_kib >= 8ull * p.p;
}

}  // namespace

bool valid_keyid(const std::string& keyid) noexcept {
  if (keyid.empty() || keyid.size() > kMaxKeyId) return false;
  for (char ch : keyid)
    if (!keyid_char(ch)) return false;
  return true;
}

const char* variant_name(argon2::Variant v) noexcept {
  switch (v) {
    case argon2::Variant::d:
      return "argon2d";
    case argon2::Variant::i:
      return "argon2i";
    default:
      return "argon2id";
  }
}

bool parse_argon2(const char* s, size_t len, const Ceilings& ceilings, Argon2Hash& out) {
  if (len > kMaxLength || len == 0 || s[0] != '$') return false;
  string_view rest(s + 1, len - 1);
  out = Argon2Hash{};
  const string_view id = next_field(rest);
  if (id == "argon2id") {
    out.params.variant = argon2::Variant::id;
  } else if (id == "argon2i") {
    out.params.variant = argon2::Variant::i;
  } else if (id == "argon2d") {
    out.params.variant = argon2::Variant::d;
  } else {
    return false;
  }
  string_view field = next_field(rest);
  out.params.version = argon2::kVersion10;  // no v=: the original (1.0) form
  if (field.substr(0, 2) == "v=") {
    uint32_t v = 0;
    if (!parse_u32(field.substr(2), v) || (v != 16 && v != 19)) return false;
    out.params.version = v;
    field = next_field(rest);
  }
  if (!parse_params(field, ceilings, out)) return false;
  // What is left is exactly salt$tag.
  const size_t dollar = rest.find('$');
  if (dollar == string_view::npos) return false;
  const string_view salt = rest.substr(0, dollar), tag = rest.substr(dollar + 1);
  if (tag.find('$') != string_view::npos) return false;
  return decode_b64(salt, argon2::kMinSalt, argon2::kMaxSalt, out.salt) &&
         decode_b64(tag, argon2::kMinTag, argon2::kMaxTag, out.tag);
}

std::string encode_argon2(const argon2::Params& p, const std::string& keyid, const uint8_t* ad,
                          size_t ad_len, const uint8_t* salt, size_t salt_len, const uint8_t* tag,
                          size_t tag_len) {
  std::string s = "$";
  s += variant_name(p.variant);
  s += "$v=" + std::to_string(p.version) + "$m=" + std::to_string(p.m_kib) +
       ",t=" + std::to_string(p.t) + ",p=" + std::to_string(p.p);
  if (!keyid.empty()) s += ",keyid=" + keyid;
  if (ad_len > 0) {
    s += ",data=";
    append_b64(s, ad, ad_len);
  }
  s += '$';
  append_b64(s, salt, salt_len);
  s += '$';
  append_b64(s, tag, tag_len);
  return s;
}

}  // namespace sg::phc
