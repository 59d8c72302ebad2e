// Derives a 32-byte sealing key from an application secret that is not itself a raw key (a
// passphrase-like string or a byte string of another length). The secret must already carry
// >= 256 bits of entropy: this is a fixed, documented mapping, not a password KDF.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sg {

// BLAKE2b-256 keyed with the context "start-guard/sealer-key/v1" (25 bytes), message = secret.
// The README documents the context so other languages derive the same key.
constexpr char kSealerKeyContext[] = "start-guard/sealer-key/v1";

void derive_sealer_key(const uint8_t* secret, size_t secret_len, uint8_t out[32]) noexcept;

// The single-use tokens' server key (createSingleUseTokens({ secret })), derived the same way
// under its own context, so one application secret used for both never gives the sealer's key.
constexpr char kTokenKeyContext[] = "start-guard/token-key/v1";

void derive_token_key(const uint8_t* secret, size_t secret_len, uint8_t out[32]) noexcept;

}  // namespace sg
