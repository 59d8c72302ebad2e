// A fixed-size holder for secret bytes: wiped with sodium_memzero when it dies, never copied
// implicitly (a stray copy is a secret left in memory).
#pragma once
#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
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

// Variable-length secret bytes (a password, a pepper): wiped when the holder dies or is
// reassigned. Sized once; never grown (growing would leave a copy behind).
class SecretBytes {
 public:
  SecretBytes() = default;
  SecretBytes(const uint8_t* data, size_t len) : bytes_(data, data + len) {}
  explicit SecretBytes(size_t len) : bytes_(len) {}  // zeroed
  ~SecretBytes() { wipe(); }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept = default;
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    wipe();
    bytes_ = std::move(other.bytes_);
    return *this;
  }
  const uint8_t* data() const noexcept { return bytes_.data(); }
  uint8_t* data() noexcept { return bytes_.data(); }
  size_t size() const noexcept { return bytes_.size(); }

 private:
  void wipe() noexcept {
    if (!bytes_.empty()) sodium_memzero(bytes_.data(), bytes_.size());
  }
  std::vector<uint8_t> bytes_;
};

}  // namespace sg
