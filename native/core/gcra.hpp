// The token bucket in its GCRA form (the generic cell rate algorithm, ITU-T I.371): one number
// per key, the theoretical arrival time (TAT), the moment the bucket will be full again. A take
// of `cost` tokens moves it `cost` emission intervals later; it is allowed while the TAT stays
// within one bucket's worth of time (the burst) of now. Integer nanoseconds throughout, so every
// answer (remaining tokens, retry delay) is exact arithmetic on the same numbers that decide.
#pragma once
#include <cstdint>

namespace sg::gcra {

// Rates above this have an emission interval under 1 µs: rounding it to a whole nanosecond
// would change the rate by more than 0.05%.
constexpr double kMaxRefillPerSecond = 1e6;
constexpr int64_t kMaxCapacity = 1'000'000'000;
// capacity × interval (the time a drained bucket takes to refill) stays below 2^62 ns (146
// years), so now + burst never overflows (take and peek never form now + 2 × burst).
constexpr int64_t kMaxBurstNs = int64_t{1} << 62;

struct Params {
  int64_t capacity;     // tokens a full bucket holds
  int64_t interval_ns;  // emission interval: time to refill one token
  int64_t burst_ns;     // capacity × interval_ns
};

enum class ParamsError { none, capacity, refill, burst };

// Checks and converts (capacity, refill per second). The interval is 1e9 / refill rounded to the
// nearest nanosecond (exact for every rate whose interval is a whole number of nanoseconds).
ParamsError make_params(double capacity, double refill_per_second, Params& out) noexcept;

struct Result {
  bool allowed;
  int64_t remaining;       // whole tokens left after the take (when refused: left now)
  int64_t retry_after_ms;  // 0 when allowed; else when `cost` tokens will be there, rounded up
};

// A take of more than a full bucket could never be allowed, and one of less than a token would
// be free: both are errors, never a bucket gone negative.
inline bool cost_fits(int64_t cost, const Params& p) noexcept {
  return cost >= 1 && cost <= p.capacity;
}

// Takes `cost` tokens (cost_fits: the caller checks) at `now_ns`, updating `tat`
// only when allowed. A refused take changes nothing: the bucket never goes below empty.
Result take(int64_t& tat, int64_t cost, int64_t now_ns, const Params& p) noexcept;

// What take would answer, changing nothing.
Result peek(int64_t tat, int64_t cost, int64_t now_ns, const Params& p) noexcept;

// Gives `cost` tokens back (a take that should not have counted), never above a full bucket.
void refund(int64_t& tat, int64_t cost, int64_t now_ns, const Params& p) noexcept;

// A bucket whose TAT has passed is full: it carries no information and can be forgotten.
inline bool is_full(int64_t tat, int64_t now_ns) noexcept { return tat <= now_ns; }

}  // namespace sg::gcra
