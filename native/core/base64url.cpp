#include "base64url.hpp"

#include <sodium.h>

#include "sodium_runtime.hpp"

namespace sg {

namespace {

constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

// libsodium 1.0.18 decodes every byte from 0x80 to 0xFF as the value 63 where char is signed
// (x86), so "__" and the UTF-8 of U+00FF ("\xc3\xbf") would decode alike: two spellings of one
// token. It rejects every other byte outside the alphabet (the tests try all 2-byte strings), so
// refusing high bytes first is enough. Branch-free, so PASERK key strings leak nothing through
// timing, and vectorizable: a full alphabet check here cost ~400 ns per token.
bool has_high_byte(const char* in, size_t len) noexcept {
  unsigned acc = 0;
  for (size_t i = 0; i < len; ++i) acc |= static_cast<unsigned char>(in[i]);
  return (acc & 0x80U) != 0;
}

}  // namespace

void base64url_append(std::string& out, const uint8_t* in, size_t len) {
  const size_t start = out.size();
  const size_t chars = base64url_encoded_len(len);
  // sodium_bin2base64 writes a terminating NUL: make room for it, then drop it.
  out.resize(start + chars + 1);
  sodium_bin2base64(&out[start], chars + 1, in, len, kVariant);
  out.resize(start + chars);
}

std::string base64url_encode(const uint8_t* in, size_t len) {
  std::string out;
  base64url_append(out, in, len);
  return out;
}

bool base64url_decode(const char* in, size_t in_len, uint8_t* out, size_t out_max,
                      size_t* out_len) noexcept {
  *out_len = 0;
  size_t expected = 0;
  if (!base64url_decoded_len(in_len, &expected) || expected > out_max) return false;
  if (in_len == 0) return true;
  if (has_high_byte(in, in_len)) return false;
  sodium_ready();
  // b64_end == nullptr makes libsodium fail unless every character was consumed; and it rejects
  // a last character with non-zero unused bits (non-canonical encodings, PASETO vector 4-F-4).
  size_t written = 0;
  if (sodium_base642bin(out, out_max, in, in_len, nullptr, &written, nullptr, kVariant) != 0 ||
      written != expected) {
    return false;
  }
  *out_len = written;
  return true;
}

bool base64url_decode(const char* in, size_t in_len, std::string& out) {
  out.clear();
  size_t expected = 0;
  if (!base64url_decoded_len(in_len, &expected)) return false;
  out.resize(expected);
  size_t written = 0;
  if (!base64url_decode(in, in_len, reinterpret_cast<uint8_t*>(&out[0]), expected, &written)) {
    out.clear();
    return false;
  }
  return true;
}

}  // namespace sg
