#include "rate_key.hpp"

#include <sodium.h>

#include <cstring>

#include "random.hpp"
#include "secret.hpp"

namespace sg {

namespace {

const SecretArray<crypto_shorthash_KEYBYTES>& process_key() noexcept {
  // Initialized once, thread-safely (a function-local static), by every thread of the process:
  // worker_threads share it, so a name's buckets are the same table under the same key. Leaked
  // on purpose: a worker may still hash while the process runs its static destructors.
  static const auto* key = [] {
    auto* k = new SecretArray<crypto_shorthash_KEYBYTES>();
    random_fill(k->data(), k->size());
    return k;
  }();
  return *key;
}

}  // namespace

uint64_t rate_key_hash(const void* key, size_t len) noexcept {
  unsigned char out[crypto_shorthash_BYTES];
  // crypto_shorthash reads nothing when len is 0, but its argument must still be a valid pointer.
  static const unsigned char empty = 0;
  crypto_shorthash(out, len == 0 ? &empty : static_cast<const unsigned char*>(key), len,
                   process_key().data());
  uint64_t h;
  std::memcpy(&h, out, sizeof h);
  return h == 0 ? 1 : h;
}

}  // namespace sg
