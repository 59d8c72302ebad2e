// One Argon2 engine: the reference library's optimized implementation (opt.c, built per SIMD
// level, argon2_simd.hpp), called with threads = 1 (p lanes computed in turn: the same tag, no
// thread per lane) and memory from a caller-owned, reused Arena when it fits.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sg::argon2 {

enum class Variant { d = 0, i = 1, id = 2 };

constexpr uint32_t kVersion10 = 0x10;
constexpr uint32_t kVersion13 = 0x13;
constexpr size_t kMinSalt = 8, kMaxSalt = 64;
constexpr size_t kMinTag = 4, kMaxTag = 128;
constexpr size_t kMaxSecret = 128, kMaxAd = 64;
constexpr uint32_t kMaxLanes = 0xFFFFFF;

struct Params {
  Variant variant = Variant::id;
  uint32_t version = kVersion13;
  uint32_t m_kib = 19456;
  uint32_t t = 2;
  uint32_t p = 1;
};

struct Bytes {
  const uint8_t* data = nullptr;
  size_t size = 0;
};

struct Inputs {
  Bytes password, salt, secret, ad;
};

// A block of memory kept by one thread between hashes: mapped once (with MADV_HUGEPAGE), so a
// later hash of the same m takes no page faults and no mmap/munmap. The library wipes the
// blocks before handing them back. Not thread-safe: one per thread.
class Arena {
 public:
  Arena() = default;
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  // Makes the arena hold at least `bytes` (remapping when it is smaller). False when the
  // mapping fails (the arena is then empty).
  bool reserve(size_t bytes) noexcept;
  void release() noexcept;
  uint8_t* data() const noexcept { return data_; }
  size_t capacity() const noexcept { return capacity_; }

 private:
  uint8_t* data_ = nullptr;
  size_t capacity_ = 0;
};

// The memory a hash of these parameters takes (the library rounds m down to 4p blocks of 1 KiB,
// at least 8p).
size_t memory_bytes(const Params& params) noexcept;

// Status codes of the reference library (ARGON2_OK = 0; negative on error).
// Hashes into out[0..out_len). The arena is used when it is large enough; otherwise the memory
// is mapped for this call and unmapped after. Inputs are not modified.
int hash_raw(const Params& params, const Inputs& in, uint8_t* out, size_t out_len,
             Arena* arena) noexcept;

const char* error_message(int code) noexcept;

}  // namespace sg::argon2
