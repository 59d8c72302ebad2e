// The clock of the rate-limit table: CLOCK_MONOTONIC, so a wall-clock step (NTP, an operator's
// `date`) can neither refill every bucket at once nor freeze them.
#pragma once
#include <cstdint>

namespace sg {

// Nanoseconds since an arbitrary point (boot), never going backwards; through the vDSO, ~20 ns.
int64_t monotonic_ns() noexcept;

}  // namespace sg
