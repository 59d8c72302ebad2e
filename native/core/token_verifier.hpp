// Single-use tokens (password reset, e-mail verification) are `id.secret`; the store keeps only a
// verifier of the secret, a one-way function of it that also ties it to its own record (the
// token's binding: a context string, its id, user, purpose, expiry and data, framed by
// lib/tokens/format.ts). No slow hash: the secret is 256 bits from the OS CSPRNG, so a leaked
// store gives nothing to brute-force.
//
// Two forms. Without a server key, BLAKE2b-256 keyed with the secret over the binding: whoever
// can WRITE the store can pick a secret and store its verifier for any user. With a server key
// (derive_token_key), BLAKE2b-256 keyed with the server key over secret || binding: a verifier
// can only be made by someone who holds that key, so write access to the store alone mints
// nothing.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sg {

constexpr size_t kTokenSecretBytes = 32;
constexpr size_t kTokenVerifierBytes = 32;
constexpr size_t kTokenKeyBytes = 32;

// `key` is null for the unkeyed form, else kTokenKeyBytes bytes.
void token_verifier(const uint8_t* key, const uint8_t secret[kTokenSecretBytes],
                    const uint8_t* binding, size_t binding_len,
                    uint8_t out[kTokenVerifierBytes]) noexcept;

// Recomputes the verifier and compares it with `expected` in constant time (sodium_memcmp); the
// recomputed value is wiped. False when `expected_len` is not kTokenVerifierBytes.
bool token_verifier_matches(const uint8_t* key, const uint8_t secret[kTokenSecretBytes],
                            const uint8_t* binding, size_t binding_len, const uint8_t* expected,
                            size_t expected_len) noexcept;

}  // namespace sg
