#include "paserk.hpp"

#include <sodium.h>

#include <cstring>

#include "base64url.hpp"
#include "sodium_runtime.hpp"

namespace sg::paserk {

namespace {
constexpr size_t kLocalPrefixLen = sizeof kK4LocalPrefix - 1;
constexpr size_t kLidPrefixLen = sizeof kK4LidPrefix - 1;
constexpr size_t kLidHashBytes = 33;  // 264 bits: encodes to 44 characters without padding
static_assert(kK4LocalLen == kLocalPrefixLen + base64url_encoded_len(32), "k4.local length");
static_assert(kK4LidLen == kLidPrefixLen + base64url_encoded_len(kLidHashBytes), "k4.lid length");
}  // namespace

std::string k4_local_encode(const uint8_t key[32]) {
  std::string out;
  out.reserve(kK4LocalLen + 1);  // +1: the encoder's NUL, so no reallocation leaves a copy
  out.append(kK4LocalPrefix, kLocalPrefixLen);
  base64url_append(out, key, 32);
  return out;
}

bool k4_local_decode(const char* paserk, size_t len, uint8_t key_out[32]) noexcept {
  size_t written = 0;
  if (paserk != nullptr && len == kK4LocalLen &&
      std::memcmp(paserk, kK4LocalPrefix, kLocalPrefixLen) == 0 &&
      base64url_decode(paserk + kLocalPrefixLen, len - kLocalPrefixLen, key_out, 32, &written) &&
      written == 32) {
    return true;
  }
  sodium_memzero(key_out, 32);
  return false;
}

std::string k4_lid(const uint8_t key[32]) {
  sodium_ready();
  // h || p built on the stack and wiped: p is the key in PASERK form.
  char msg[kLidPrefixLen + kK4LocalLen + 1];
  std::memcpy(msg, kK4LidPrefix, kLidPrefixLen);
  std::memcpy(msg + kLidPrefixLen, kK4LocalPrefix, kLocalPrefixLen);
  sodium_bin2base64(msg + kLidPrefixLen + kLocalPrefixLen, base64url_encoded_len(32) + 1, key, 32,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  uint8_t d[kLidHashBytes];
  crypto_generichash(d, sizeof d, reinterpret_cast<const uint8_t*>(msg),
                     kLidPrefixLen + kK4LocalLen, nullptr, 0);
  sodium_memzero(msg, sizeof msg);

  std::string out;
  out.reserve(kK4LidLen + 1);
  out.append(kK4LidPrefix, kLidPrefixLen);
  base64url_append(out, d, sizeof d);
  return out;
}

}  // namespace sg::paserk
