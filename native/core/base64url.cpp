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

// Character -> 6-bit value, 0xFF for anything outside the base64url alphabet.
struct DecodeTable {
  uint8_t v[256];
  constexpr DecodeTable() : v() {
    for (int i = 0; i < 256; ++i) v[i] = 0xFF;
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (uint8_t i = 0; i < 64; ++i) v[static_cast<unsigned char>(alphabet[i])] = i;
  }
};
constexpr DecodeTable kDecode;

inline uint32_t sextet(const char* in, size_t i) noexcept {
  return kDecode.v[static_cast<unsigned char>(in[i])];
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

void base64url_append_public(std::string& out, const uint8_t* in, size_t len) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const size_t start = out.size();
  out.resize(start + base64url_encoded_len(len));
  char* o = &out[start];
  size_t i = 0;
  for (; i + 3 <= len; i += 3, o += 4) {
    const uint32_t n = uint32_t{in[i]} << 16 | uint32_t{in[i + 1]} << 8 | in[i + 2];
    o[0] = kAlphabet[n >> 18];
    o[1] = kAlphabet[(n >> 12) & 63];
    o[2] = kAlphabet[(n >> 6) & 63];
    o[3] = kAlphabet[n & 63];
  }
  if (len - i == 1) {
    o[0] = kAlphabet[in[i] >> 2];
    o[1] = kAlphabet[(in[i] & 3) << 4];
  } else if (len - i == 2) {
    const uint32_t n = uint32_t{in[i]} << 8 | in[i + 1];
    o[0] = kAlphabet[n >> 10];
    o[1] = kAlphabet[(n >> 4) & 63];
    o[2] = kAlphabet[(n & 15) << 2];
  }
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

bool base64url_decode_public(const char* in, size_t in_len, uint8_t* out, size_t out_max,
                             size_t* out_len) noexcept {
  *out_len = 0;
  size_t expected = 0;
  if (!base64url_decoded_len(in_len, &expected) || expected > out_max) return false;
  const size_t full = in_len / 4;
  uint8_t* o = out;
  for (size_t q = 0; q < full; ++q, in += 4, o += 3) {
    const uint32_t a = sextet(in, 0), b = sextet(in, 1), c = sextet(in, 2), d = sextet(in, 3);
    if ((a | b | c | d) & 0x80U) return false;  // 0xFF marks a character outside the alphabet
    const uint32_t n = a << 18 | b << 12 | c << 6 | d;
    o[0] = static_cast<uint8_t>(n >> 16);
    o[1] = static_cast<uint8_t>(n >> 8);
    o[2] = static_cast<uint8_t>(n);
  }
  const size_t rest = in_len % 4;
  if (rest == 2) {
    const uint32_t a = sextet(in, 0), b = sextet(in, 1);
    // Canonical: the 4 bits of b that fall past the last byte must be zero (vector 4-F-4).
    if (((a | b) & 0x80U) || (b & 0x0FU)) return false;
    o[0] = static_cast<uint8_t>(a << 2 | b >> 4);
  } else if (rest == 3) {
    const uint32_t a = sextet(in, 0), b = sextet(in, 1), c = sextet(in, 2);
    if (((a | b | c) & 0x80U) || (c & 0x03U)) return false;
    const uint32_t n = a << 10 | b << 4 | c >> 2;
    o[0] = static_cast<uint8_t>(n >> 8);
    o[1] = static_cast<uint8_t>(n);
  }
  *out_len = expected;
  return true;
}

namespace {
// The std::string form of either decoder: sized exactly, emptied on failure.
template <bool (*Decode)(const char*, size_t, uint8_t*, size_t, size_t*) noexcept>
bool decode_into(const char* in, size_t in_len, std::string& out) {
  out.clear();
  size_t expected = 0;
  if (!base64url_decoded_len(in_len, &expected)) return false;
  out.resize(expected);
  size_t written = 0;
  if (!Decode(in, in_len, reinterpret_cast<uint8_t*>(&out[0]), expected, &written)) {
    out.clear();
    return false;
  }
  return true;
}
}  // namespace

bool base64url_decode(const char* in, size_t in_len, std::string& out) {
  return decode_into<base64url_decode>(in, in_len, out);
}

bool base64url_decode_public(const char* in, size_t in_len, std::string& out) {
  return decode_into<base64url_decode_public>(in, in_len, out);
}

}  // namespace sg
