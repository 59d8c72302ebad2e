// PASETO v4.local: XChaCha20 encryption with a keyed-BLAKE2b MAC, per-token subkeys derived from
// a 32-byte random nonce (https://github.com/paseto-standard/paseto-spec, docs/01-Protocol-
// Versions/Version4.md). Plain C++ on libsodium; the policy (claims, expiry, which footer is
// allowed, which key to try) belongs to the caller.
#pragma once
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "secret.hpp"

namespace sg::paseto {

constexpr size_t kKeyBytes = 32;
constexpr size_t kNonceBytes = 32;
constexpr size_t kTagBytes = 32;
constexpr char kV4LocalHeader[] = "v4.local.";
constexpr size_t kV4LocalHeaderLen = sizeof kV4LocalHeader - 1;

// A v4.local key with its two BLAKE2b key-derivation states precomputed: every token derives
// (Ek, n2) and Ak from the key, so the keyed init and the constant domain strings are absorbed
// once here and the states copied per token. Non-copyable; wiped on destruction (the states
// hold the key itself in their buffers).
class LocalKey {
 public:
  // Throws std::runtime_error only when libsodium cannot start.
  explicit LocalKey(const uint8_t key[kKeyBytes]);
  ~LocalKey();
  LocalKey(const LocalKey&) = delete;
  LocalKey& operator=(const LocalKey&) = delete;

  const uint8_t* bytes() const noexcept { return key_.data(); }

  // Per-token subkeys: ek_n2 = BLAKE2b-448(K, "paseto-encryption-key" || n) (Ek || n2),
  // ak = BLAKE2b-256(K, "paseto-auth-key-for-aead" || n).
  void derive(const uint8_t nonce[kNonceBytes], uint8_t ek_n2[56], uint8_t ak[32]) const noexcept;

 private:
  SecretArray<kKeyBytes> key_;
  crypto_generichash_state enc_;   // outlen 56, has absorbed K and "paseto-encryption-key"
  crypto_generichash_state auth_;  // outlen 32, has absorbed K and "paseto-auth-key-for-aead"
};

// Returns "v4.local." || b64url(n || c || t) [|| "." || b64url(footer) when footer_len > 0].
// test_nonce == nullptr draws n from the CSPRNG; tests inject it to reproduce the official
// vectors. Pointers may be null when their length is 0.
std::string v4_local_encrypt(const LocalKey& key, const uint8_t* msg, size_t msg_len,
                             const uint8_t* footer, size_t footer_len, const uint8_t* implicit,
                             size_t implicit_len, const uint8_t* test_nonce = nullptr);

// Verifies and decrypts a token. Returns false for ANY invalid input (wrong header, non-canonical
// base64url, short body, empty footer after '.', bad tag) and never throws for attacker input
// (only std::bad_alloc). The tag is checked in constant time before anything is decrypted. On
// success message_out holds the plaintext and, when footer_out is given, *footer_out the
// (authenticated) footer bytes, empty when the token has none; on failure both are emptied.
bool v4_local_decrypt(const LocalKey& key, const char* token, size_t token_len,
                      const uint8_t* implicit, size_t implicit_len, std::string& message_out,
                      std::string* footer_out = nullptr);

// The footer bytes of a token, unauthenticated: for choosing a key (by PASERK kid) before
// decrypting. Checks the header, the body's length and the footer's encoding; the body itself
// is checked by v4_local_decrypt. Empty footer_out when the token has none; false if malformed.
bool v4_local_footer(const char* token, size_t token_len, std::string& footer_out);

}  // namespace sg::paseto
