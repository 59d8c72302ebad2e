// Single-use tokens (password reset, e-mail verification) are `id.secret`; the store keeps only a
// verifier of the secret. The verifier is BLAKE2b-256 keyed with the 32-byte secret over the
// token's binding (a context string, its id, user, purpose, expiry and data, framed by
// lib/tokens/format.ts): a one-way function of the secret that also ties it to its own record.
// No server key and no slow hash: the secret is 256 bits from the OS CSPRNG, so a leaked store
// gives nothing to brute-force, and a key would only add a secret to keep and rotate.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sg {

constexpr size_t kTokenSecretBytes = 32;
constexpr size_t kTokenVerifierBytes = 32;

void token_verifier(const uint8_t secret[kTokenSecretBytes], const uint8_t* binding,
                    size_t binding_len, uint8_t out[kTokenVerifierBytes]) noexcept;

// Recomputes the verifier and compares it with `expected` in constant time (sodium_memcmp); the
// recomputed value is wiped. False when `expected_len` is not kTokenVerifierBytes.
bool token_verifier_matches(const uint8_t secret[kTokenSecretBytes], const uint8_t* binding,
                            size_t binding_len, const uint8_t* expected,
                            size_t expected_len) noexcept;

}  // namespace sg
