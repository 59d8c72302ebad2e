#include "key_derivation.hpp"

#include <sodium.h>

#include "sodium_runtime.hpp"

namespace sg {

namespace {

void derive_under(const char* context, size_t context_len, const uint8_t* secret, size_t secret_len,
                  uint8_t out[32]) noexcept {
  sodium_ready();
  crypto_generichash(out, 32, secret, secret_len, reinterpret_cast<const uint8_t*>(context),
                     context_len);
}

}  // namespace

void derive_sealer_key(const uint8_t* secret, size_t secret_len, uint8_t out[32]) noexcept {
  derive_under(kSealerKeyContext, sizeof kSealerKeyContext - 1, secret, secret_len, out);
}

void derive_token_key(const uint8_t* secret, size_t secret_len, uint8_t out[32]) noexcept {
  derive_under(kTokenKeyContext, sizeof kTokenKeyContext - 1, secret, secret_len, out);
}

}  // namespace sg
