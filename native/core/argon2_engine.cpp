#include "argon2_engine.hpp"

#include <sys/mman.h>

#include "argon2.h"
#include "argon2_simd.hpp"

namespace sg::argon2 {

namespace {

// Chosen at load, before any hash: the best level this CPU (and OS) runs.
const bool simd_selected = simd_force(simd_best());

// The reference library's allocator callbacks take no user pointer, so the arena of the hash
// running on this thread is passed through a thread-local.
thread_local Arena* current_arena = nullptr;

uint8_t* map_bytes(size_t bytes) noexcept {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  // Transparent huge pages where the system allows them (madvise mode): fewer TLB misses on the
  // random reads of the second pass. Advice only: its failure changes nothing.
  madvise(p, bytes, MADV_HUGEPAGE);
  return static_cast<uint8_t*>(p);
}

int allocate(uint8_t** memory, size_t bytes) {
  Arena* arena = current_arena;
  *memory = arena != nullptr && arena->capacity() >= bytes ? arena->data() : map_bytes(bytes);
  return *memory == nullptr ? ARGON2_MEMORY_ALLOCATION_ERROR : ARGON2_OK;
}

// Called after the library has wiped the blocks (clear_internal_memory in free_memory).
void deallocate(uint8_t* memory, size_t bytes) {
  Arena* arena = current_arena;
  if (arena != nullptr && memory == arena->data()) return;
  munmap(memory, bytes);
}

// Clears the thread-local however hash_raw returns.
struct ArenaScope {
  explicit ArenaScope(Arena* a) noexcept { current_arena = a; }
  ~ArenaScope() { current_arena = nullptr; }
};

}  // namespace

Arena::~Arena() { release(); }

bool Arena::reserve(size_t bytes) noexcept {
  if (capacity_ >= bytes) return true;
  release();
  data_ = map_bytes(bytes);
  if (data_ == nullptr) return false;
  capacity_ = bytes;
  return true;
}

void Arena::release() noexcept {
  if (data_ != nullptr) munmap(data_, capacity_);
  data_ = nullptr;
  capacity_ = 0;
}

size_t memory_bytes(const Params& params) noexcept {
  uint64_t blocks = params.m_kib;
  if (blocks < 8ull * params.p) blocks = 8ull * params.p;
  const uint64_t lanes4 = 4ull * params.p;
  blocks = lanes4 == 0 ? 0 : blocks / lanes4 * lanes4;
  return static_cast<size_t>(blocks * 1024);  // ARGON2_BLOCK_SIZE (core.h)
}

int hash_raw(const Params& params, const Inputs& in, uint8_t* out, size_t out_len,
             Arena* arena) noexcept {
  (void)simd_selected;
  if (out_len > kMaxTag || in.salt.size > kMaxSalt || in.secret.size > kMaxSecret ||
      in.ad.size > kMaxAd || in.password.size > 0xFFFFFFFFu) {
    return ARGON2_INCORRECT_PARAMETER;
  }
  if (params.version != kVersion10 && params.version != kVersion13)
    return ARGON2_INCORRECT_PARAMETER;
  argon2_context ctx{};
  ctx.out = out;
  ctx.outlen = static_cast<uint32_t>(out_len);
  // flags = 0: the library reads the inputs and never clears them; they are the caller's.
  ctx.pwd = const_cast<uint8_t*>(in.password.data);
  ctx.pwdlen = static_cast<uint32_t>(in.password.size);
  ctx.salt = const_cast<uint8_t*>(in.salt.data);
  ctx.saltlen = static_cast<uint32_t>(in.salt.size);
  ctx.secret = const_cast<uint8_t*>(in.secret.data);
  ctx.secretlen = static_cast<uint32_t>(in.secret.size);
  ctx.ad = const_cast<uint8_t*>(in.ad.data);
  ctx.adlen = static_cast<uint32_t>(in.ad.size);
  ctx.t_cost = params.t;
  ctx.m_cost = params.m_kib;
  ctx.lanes = params.p;
  ctx.threads = 1;  // lanes in turn on this pool thread: same tag (RFC 9106 3.4), no threads
  ctx.version = params.version;
  ctx.allocate_cbk = allocate;
  ctx.free_cbk = deallocate;
  ctx.flags = ARGON2_DEFAULT_FLAGS;
  ArenaScope scope(arena);
  return argon2_ctx(&ctx, static_cast<argon2_type>(params.variant));
}

const char* error_message(int code) noexcept { return argon2_error_message(code); }

}  // namespace sg::argon2
