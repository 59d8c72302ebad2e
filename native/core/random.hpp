// Random bytes from the operating system's CSPRNG, through libsodium.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sg {

// Straight from the OS (one getrandom call): for keys, session ids and anything secret.
void random_fill(uint8_t* out, size_t len) noexcept;

// For public, must-be-unique values (token nonces): served from a per-thread buffer refilled
// from the OS 4 KiB at a time, because one getrandom call costs ~1.2 µs here, a fifth of a
// seal. Served bytes are wiped from the buffer, and a fork empties the child's buffer
// (pthread_atfork), so a forked process never repeats its parent's nonces. len <= 256.
void nonce_fill(uint8_t* out, size_t len) noexcept;

}  // namespace sg
