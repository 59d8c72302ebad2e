// A fixed-size holder for secret bytes: wiped with sodium_memzero when it dies, never copied
// implicitly (a stray copy is a secret left in memory).
#pragma once
#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>

namespace sg {

template <size_t N>
class SecretArray {
 public:
  SecretArray() noexcept { bytes_.fill(0); }
  ~SecretArray() { sodium_memzero(bytes_.data(), N); }
  SecretArray(const SecretArray&) = delete;
  SecretArray& operator=(const SecretArray&) = delete;
  SecretArray(SecretArray&& other) noexcept : bytes_(other.bytes_) {
    sodium_memzero(other.bytes_.data(), N);
  }
  uint8_t* data() noexcept { return bytes_.data(); }
  const uint8_t* data() const noexcept { return bytes_.data(); }
  static constexpr size_t size() noexcept { return N; }

 private:
  std::array<uint8_t, N> bytes_;
};

}  // namespace sg
