#include "token_verifier.hpp"

#include <sodium.h>

#include "secret.hpp"
#include "sodium_runtime.hpp"

namespace sg {

void token_verifier(const uint8_t* key, const uint8_t secret[kTokenSecretBytes],
                    const uint8_t* binding, size_t binding_len,
                    uint8_t out[kTokenVerifierBytes]) noexcept {
  sodium_ready();
  if (key == nullptr) {
    crypto_generichash(out, kTokenVerifierBytes, binding, binding_len, secret, kTokenSecretBytes);
    return;
  }
  // The secret has a fixed length, so secret || binding frames both without a separator.
  crypto_generichash_state state;
  crypto_generichash_init(&state, key, kTokenKeyBytes, kTokenVerifierBytes);
  crypto_generichash_update(&state, secret, kTokenSecretBytes);
  crypto_generichash_update(&state, binding, binding_len);
  crypto_generichash_final(&state, out, kTokenVerifierBytes);
  sodium_memzero(&state, sizeof state);
}

bool token_verifier_matches(const uint8_t* key, const uint8_t secret[kTokenSecretBytes],
                            const uint8_t* binding, size_t binding_len, const uint8_t* expected,
                            size_t expected_len) noexcept {
  if (expected_len != kTokenVerifierBytes) return false;
  SecretArray<kTokenVerifierBytes> actual;
  token_verifier(key, secret, binding, binding_len, actual.data());
  return sodium_memcmp(actual.data(), expected, kTokenVerifierBytes) == 0;
}

}  // namespace sg
