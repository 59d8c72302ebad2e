// Fixed-size and growable byte holders for secret data: wiped with sodium_memzero when they
// die, never copied implicitly (a stray copy is a secret left in memory).
#pragma once
#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

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

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t n) : bytes_(n, 0) {}
  SecretBytes(const uint8_t* p, size_t n) : bytes_(p, p + n) {}
  ~SecretBytes() { wipe(); }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept = default;
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    wipe();
    bytes_ = std::move(other.bytes_);
    return *this;
  }
  uint8_t* data() noexcept { return bytes_.data(); }
  const uint8_t* data() const noexcept { return bytes_.data(); }
  size_t size() const noexcept { return bytes_.size(); }
  void wipe() noexcept {
    if (!bytes_.empty()) sodium_memzero(bytes_.data(), bytes_.size());
  }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace sg
