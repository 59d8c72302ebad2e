// Random bytes from the operating system's CSPRNG, through libsodium.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sg {

void random_fill(uint8_t* out, size_t len) noexcept;

}  // namespace sg
