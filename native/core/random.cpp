#include "random.hpp"

#include <sodium.h>

#include "sodium_runtime.hpp"

namespace sg {

void random_fill(uint8_t* out, size_t len) noexcept {
  sodium_ready();
  randombytes_buf(out, len);
}

}  // namespace sg
