// PASERK (https://github.com/paseto-standard/paserk) for v4 local keys: the shareable
// `k4.local.` key string and the `k4.lid.` key id that tokens carry in their footer.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace sg::paserk {

constexpr char kK4LocalPrefix[] = "k4.local.";
constexpr char kK4LidPrefix[] = "k4.lid.";
constexpr size_t kK4LocalLen = 9 + 43;  // prefix + 32 bytes in unpadded base64url
constexpr size_t kK4LidLen = 7 + 44;    // prefix + 33 bytes in unpadded base64url

// "k4.local." || b64url(key). The result is the key itself: callers treat it as secret.
std::string k4_local_encode(const uint8_t key[32]);

// Strict parse: the exact prefix, canonical base64url, exactly 32 bytes. key_out is zeroed on
// failure.
bool k4_local_decode(const char* paserk, size_t len, uint8_t key_out[32]) noexcept;

// "k4.lid." || b64url(BLAKE2b-264(msg = "k4.lid." || k4_local_encode(key))), unkeyed
// (PASERK operations/ID.md, versions 2 and 4). Safe to publish: it identifies, not reveals.
std::string k4_lid(const uint8_t key[32]);

}  // namespace sg::paserk
