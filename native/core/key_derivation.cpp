#include "key_derivation.hpp"

#include <sodium.h>

#include "sodium_runtime.hpp"

namespace sg {

void derive_sealer_key(const uint8_t* secret, size_t secret_len, uint8_t out[32]) noexcept {
  sodium_ready();
  crypto_generichash(out, 32, secret, secret_len,
                     reinterpret_cast<const uint8_t*>(kSealerKeyContext),
                     sizeof kSealerKeyContext - 1);
}

}  // namespace sg
