// Unpadded base64url (RFC 4648 §5), as PASETO and PASERK use it, through libsodium's
// constant-time codec. Decoding is strict: no padding, no whitespace, no trailing bytes, and the
// unused low bits of the last character must be zero, so every byte string has exactly one
// accepted encoding (PASETO test vector 4-F-4 depends on this).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace sg {

// Characters needed to encode len bytes (without a terminating NUL).
constexpr size_t base64url_encoded_len(size_t len) noexcept {
  return len / 3 * 4 + (len % 3 == 0 ? 0 : len % 3 + 1);
}

// Exact decoded size of a b64_len-character string; false when no canonical unpadded encoding
// has that length (len % 4 == 1).
constexpr bool base64url_decoded_len(size_t b64_len, size_t* out) noexcept {
  if (b64_len % 4 == 1) return false;
  *out = b64_len / 4 * 3 + (b64_len % 4 == 0 ? 0 : b64_len % 4 - 1);
  return true;
}

// Appends the encoding of in[0..len) to out (libsodium's constant-time encoder: for keys).
void base64url_append(std::string& out, const uint8_t* in, size_t len);
// The same output, table-driven, for public data (token bodies: nonce, ciphertext, tag).
void base64url_append_public(std::string& out, const uint8_t* in, size_t len);
std::string base64url_encode(const uint8_t* in, size_t len);

// Decodes in[0..in_len) into out, which must hold out_max bytes. Returns false (and sets
// *out_len to 0) for any non-canonical or malformed input, or when out_max is too small.
bool base64url_decode(const char* in, size_t in_len, uint8_t* out, size_t out_max,
                      size_t* out_len) noexcept;
// Same, replacing the contents of out; out is empty on failure.
bool base64url_decode(const char* in, size_t in_len, std::string& out);

// The same strict decoding for public data (token bodies and footers), table-driven instead of
// constant-time: libsodium's constant-time decoder was 40% of an unseal (~4.5 ns a character),
// and a token's bytes are no secret (they travel in every request). Accepts exactly what
// base64url_decode accepts (a differential test checks); never use it for keys.
bool base64url_decode_public(const char* in, size_t in_len, uint8_t* out, size_t out_max,
                             size_t* out_len) noexcept;
bool base64url_decode_public(const char* in, size_t in_len, std::string& out);

}  // namespace sg
