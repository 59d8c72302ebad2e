#include "gcra.hpp"

#include <algorithm>
#include <cmath>

namespace sg::gcra {

namespace {

constexpr int64_t kNsPerMs = 1'000'000;

Result answer(int64_t base, int64_t cost, int64_t now_ns, const Params& p) noexcept {
  // `base - now` is the time still owed for tokens taken: the bucket holds
  // (burst - owed) / interval whole tokens. Every quantity here lies in [0, burst], so nothing
  // overflows: base + need (up to now + 2 × burst) is never formed, only compared as need
  // against burst - owed.
  const int64_t owed = base - now_ns;
  const int64_t need = cost * p.interval_ns;
  const int64_t room = p.burst_ns - owed;
  if (need <= room) return {true, (room - need) / p.interval_ns, 0};
  // Refused: `cost` tokens are there once `need - room` more has refilled.
  const int64_t wait_ns = need - room;
  return {false, room / p.interval_ns, (wait_ns + kNsPerMs - 1) / kNsPerMs};
}

}  // namespace

ParamsError make_params(double capacity, double refill_per_second, Params& out) noexcept {
  if (!(capacity >= 1 && capacity <= static_cast<double>(kMaxCapacity)) ||
      capacity != std::floor(capacity)) {
    return ParamsError::capacity;
  }
  if (!(refill_per_second > 0 && refill_per_second <= kMaxRefillPerSecond)) {
    return ParamsError::refill;
  }
  const double interval = std::nearbyint(1e9 / refill_per_second);
  const double burst = interval * capacity;
  if (!(burst < static_cast<double>(kMaxBurstNs))) return ParamsError::burst;
  out.capacity = static_cast<int64_t>(capacity);
  out.interval_ns = static_cast<int64_t>(interval);
  out.burst_ns = out.capacity * out.interval_ns;
  return ParamsError::none;
}

Result take(int64_t& tat, int64_t cost, int64_t now_ns, const Params& p) noexcept {
  const int64_t base = std::max(tat, now_ns);
  const Result r = answer(base, cost, now_ns, p);
  // Allowed: base + cost × interval <= now + burst, below 2^63 while now < 2^62 ns (146 years
  // of uptime).
  if (r.allowed) tat = base + cost * p.interval_ns;
  return r;
}

Result peek(int64_t tat, int64_t cost, int64_t now_ns, const Params& p) noexcept {
  return answer(std::max(tat, now_ns), cost, now_ns, p);
}

void refund(int64_t& tat, int64_t cost, int64_t now_ns, const Params& p) noexcept {
  if (tat <= now_ns) return;
  tat = std::max(now_ns, tat - cost * p.interval_ns);
}

}  // namespace sg::gcra
