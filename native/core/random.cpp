#include "random.hpp"

#include <pthread.h>
#include <sodium.h>

#include <atomic>
#include <cstring>

#include "sodium_runtime.hpp"

namespace sg {

namespace {

constexpr size_t kPoolBytes = 4096;

// Bumped in the child after fork(): every thread's pool is stale from then on.
std::atomic<uint64_t> fork_generation{0};

void on_fork_child() { fork_generation.fetch_add(1, std::memory_order_relaxed); }

struct NoncePool {
  uint8_t bytes[kPoolBytes];
  size_t used = kPoolBytes;  // empty until first use
  uint64_t generation = 0;
  ~NoncePool() { sodium_memzero(bytes, sizeof bytes); }
};

thread_local NoncePool pool;

}  // namespace

void random_fill(uint8_t* out, size_t len) noexcept {
  // A zero-length JS buffer has a null data pointer; randombytes_buf declares it non-null.
  if (len == 0) return;
  sodium_ready();
  randombytes_buf(out, len);
}

void nonce_fill(uint8_t* out, size_t len) noexcept {
  static const bool registered = pthread_atfork(nullptr, nullptr, on_fork_child) == 0;
  const uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (!registered || len > kPoolBytes / 16) {
    random_fill(out, len);
    return;
  }
  if (pool.generation != generation || kPoolBytes - pool.used < len) {
    random_fill(pool.bytes, kPoolBytes);
    pool.used = 0;
    pool.generation = generation;
  }
  std::memcpy(out, pool.bytes + pool.used, len);
  sodium_memzero(pool.bytes + pool.used, len);
  pool.used += len;
}

}  // namespace sg
