// Rate-limit keys as the table stores them: SipHash-2-4 (libsodium's crypto_shorthash) under a
// random key drawn once per process, so the table never holds an IP address or an e-mail, and
// nobody outside the process can choose keys that collide or crowd one shard.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sg {

// Never 0 (the table's empty-slot marker): a hash of 0 is mapped to 1.
uint64_t rate_key_hash(const void* key, size_t len) noexcept;

}  // namespace sg
