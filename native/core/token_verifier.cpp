#include "token_verifier.hpp"

#include <sodium.h>

#include "secret.hpp"
#include "sodium_runtime.hpp"

namespace sg {

void token_verifier(const uint8_t secret[kTokenSecretBytes], const uint8_t* binding,
                    size_t binding_len, uint8_t out[kTokenVerifierBytes]) noexcept {
  sodium_ready();
  crypto_generichash(out, kTokenVerifierBytes, binding, binding_len, secret, kTokenSecretBytes);
}

bool token_verifier_matches(const uint8_t secret[kTokenSecretBytes], const uint8_t* binding,
                            size_t binding_len, const uint8_t* expected,
                            size_t expected_len) noexcept {
  if (expected_len != kTokenVerifierBytes) return false;
  SecretArray<kTokenVerifierBytes> actual;
  token_verifier(secret, binding, binding_len, actual.data());
  return sodium_memcmp(actual.data(), expected, kTokenVerifierBytes) == 0;
}

}  // namespace sg
