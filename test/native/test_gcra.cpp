// The bucket arithmetic: exact answers in integer nanoseconds, refusals that change nothing, and
// the bound a token bucket promises (never more than capacity + elapsed × rate).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "gcra.hpp"

using sg::gcra::Params;
using sg::gcra::ParamsError;

namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kMs = 1'000'000;
// An arbitrary monotonic origin, far from 0 like a real uptime.
constexpr int64_t kT0 = 1'234'567 * kSecond;

Params params(double capacity, double refill) {
  Params p{};
  REQUIRE(sg::gcra::make_params(capacity, refill, p) == ParamsError::none);
  return p;
}

}  // namespace

TEST_CASE("params: capacity and refill rate are checked, the interval rounded to a ns", "[gcra]") {
  Params p{};
  REQUIRE(sg::gcra::make_params(5, 1, p) == ParamsError::none);
  REQUIRE(p.capacity == 5);
  REQUIRE(p.interval_ns == kSecond);
  REQUIRE(p.burst_ns == 5 * kSecond);
  REQUIRE(sg::gcra::make_params(3, 3, p) == ParamsError::none);
  REQUIRE(p.interval_ns == 333'333'333);
  REQUIRE(sg::gcra::make_params(10, 1.0 / 60, p) == ParamsError::none);
  REQUIRE(p.interval_ns == 60 * kSecond);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double c : {0.0, -1.0, 1.5, nan, inf, 1e9 + 1}) {
    REQUIRE(sg::gcra::make_params(c, 1, p) == ParamsError::capacity);
  }
  for (double r : {0.0, -1.0, nan, inf, 1e6 + 1}) {
    REQUIRE(sg::gcra::make_params(1, r, p) == ParamsError::refill);
  }
  // A drained bucket would take more than 2^62 ns (146 years) to refill.
  REQUIRE(sg::gcra::make_params(1e9, 1e-3, p) == ParamsError::burst);
  REQUIRE(sg::gcra::make_params(1, 1e-300, p) == ParamsError::burst);
  REQUIRE(sg::gcra::make_params(1e9, 1e6, p) == ParamsError::none);
}

TEST_CASE("a full bucket gives capacity tokens, then refuses with the exact wait", "[gcra]") {
  const Params p = params(5, 1);
  int64_t tat = 0;  // never used: full
  for (int64_t left = 4; left >= 0; --left) {
    const auto r = sg::gcra::take(tat, 1, kT0, p);
    REQUIRE(r.allowed);
    REQUIRE(r.remaining == left);
    REQUIRE(r.retry_after_ms == 0);
  }
  const int64_t drained = tat;
  auto r = sg::gcra::take(tat, 1, kT0, p);
  REQUIRE_FALSE(r.allowed);
  REQUIRE(r.remaining == 0);
  REQUIRE(r.retry_after_ms == 1000);
  REQUIRE(tat == drained);  // a refusal takes nothing
  // One nanosecond short of the token: refused, and the wait rounds up to 1 ms.
  r = sg::gcra::take(tat, 1, kT0 + kSecond - 1, p);
  REQUIRE_FALSE(r.allowed);
  REQUIRE(r.retry_after_ms == 1);
  r = sg::gcra::take(tat, 1, kT0 + kSecond, p);
  REQUIRE(r.allowed);
  REQUIRE(r.remaining == 0);
}

TEST_CASE("retryAfterMs is exact: refused one ms before it, allowed at it", "[gcra]") {
  std::mt19937_64 rng(42);
  const double refills[] = {1, 3, 7, 0.1, 1.0 / 60, 1.0 / 900, 250, 1e6, 12.5};
  for (double refill : refills) {
    for (int64_t capacity : {int64_t{1}, int64_t{2}, int64_t{5}, int64_t{100}}) {
      const Params p = params(static_cast<double>(capacity), refill);
      for (int trial = 0; trial < 200; ++trial) {
        int64_t tat = kT0;
        int64_t now = kT0;
        // Drain to a random level at random times.
        for (int i = 0; i < 50; ++i) {
          now += static_cast<int64_t>(rng() % static_cast<uint64_t>(p.interval_ns));
          sg::gcra::take(tat, 1 + static_cast<int64_t>(rng() % capacity), now, p);
        }
        const int64_t cost = 1 + static_cast<int64_t>(rng() % capacity);
        int64_t probe = tat;
        const auto r = sg::gcra::take(probe, cost, now, p);
        if (r.allowed) continue;
        REQUIRE(r.retry_after_ms >= 1);
        int64_t later = tat;
        REQUIRE(sg::gcra::take(later, cost, now + r.retry_after_ms * kMs, p).allowed);
        later = tat;
        REQUIRE_FALSE(sg::gcra::take(later, cost, now + (r.retry_after_ms - 1) * kMs, p).allowed);
      }
    }
  }
}

TEST_CASE("remaining is exact: that many more takes pass at once, the next is refused", "[gcra]") {
  std::mt19937_64 rng(7);
  for (double refill : {1.0, 3.0, 0.3, 1e5}) {
    const Params p = params(9, refill);
    int64_t tat = kT0;
    int64_t now = kT0;
    for (int trial = 0; trial < 500; ++trial) {
      now += static_cast<int64_t>(rng() % static_cast<uint64_t>(3 * p.interval_ns));
      const auto r = sg::gcra::take(tat, 1 + static_cast<int64_t>(rng() % 3), now, p);
      int64_t copy = tat;
      for (int64_t i = 0; i < r.remaining; ++i) REQUIRE(sg::gcra::take(copy, 1, now, p).allowed);
      REQUIRE_FALSE(sg::gcra::take(copy, 1, now, p).allowed);
    }
  }
}

TEST_CASE("a refused take of several tokens reports the tokens there are", "[gcra]") {
  const Params p = params(10, 2);  // one token every 500 ms
  int64_t tat = kT0;
  REQUIRE(sg::gcra::take(tat, 7, kT0, p).remaining == 3);
  const auto r = sg::gcra::take(tat, 5, kT0, p);
  REQUIRE_FALSE(r.allowed);
  REQUIRE(r.remaining == 3);
  REQUIRE(r.retry_after_ms == 1000);  // two more tokens
  const auto peeked = sg::gcra::peek(tat, 5, kT0 + 1000 * kMs, p);
  REQUIRE(peeked.allowed);
  REQUIRE(peeked.remaining == 0);
}

TEST_CASE("peek answers as take would and changes nothing", "[gcra]") {
  const Params p = params(3, 1);
  int64_t tat = kT0;
  sg::gcra::take(tat, 2, kT0, p);
  const int64_t before = tat;
  const auto peeked = sg::gcra::peek(tat, 1, kT0, p);
  REQUIRE(tat == before);
  int64_t copy = tat;
  const auto taken = sg::gcra::take(copy, 1, kT0, p);
  REQUIRE(peeked.allowed == taken.allowed);
  REQUIRE(peeked.remaining == taken.remaining);
  REQUIRE(peeked.retry_after_ms == taken.retry_after_ms);
}

TEST_CASE("refund gives tokens back, never beyond a full bucket", "[gcra]") {
  const Params p = params(10, 1);
  int64_t tat = kT0;
  sg::gcra::take(tat, 3, kT0, p);
  sg::gcra::refund(tat, 2, kT0, p);
  REQUIRE(sg::gcra::peek(tat, 1, kT0, p).remaining == 8);
  sg::gcra::refund(tat, 5, kT0, p);
  REQUIRE(tat == kT0);
  REQUIRE(sg::gcra::peek(tat, 1, kT0, p).remaining == 9);
  REQUIRE(sg::gcra::is_full(tat, kT0));
}

TEST_CASE("a long idle bucket holds capacity tokens, never more", "[gcra]") {
  const Params p = params(4, 1);
  int64_t tat = kT0;
  sg::gcra::take(tat, 4, kT0, p);
  const int64_t much_later = kT0 + 1'000'000 * kSecond;
  for (int64_t left = 3; left >= 0; --left) {
    REQUIRE(sg::gcra::take(tat, 1, much_later, p).remaining == left);
  }
  REQUIRE_FALSE(sg::gcra::take(tat, 1, much_later, p).allowed);
}

TEST_CASE("over any run of takes, no more than capacity + elapsed x rate is allowed", "[gcra]") {
  std::mt19937_64 rng(2026);
  for (double refill : {1.0, 3.0, 0.5, 1000.0}) {
    const Params p = params(20, refill);
    int64_t tat = kT0;
    int64_t now = kT0;
    int64_t allowed = 0;
    for (int i = 0; i < 100'000; ++i) {
      now += static_cast<int64_t>(rng() % static_cast<uint64_t>(p.interval_ns / 2 + 1));
      const int64_t cost = 1 + static_cast<int64_t>(rng() % 4);
      if (sg::gcra::take(tat, cost, now, p).allowed) allowed += cost;
      REQUIRE(allowed <= p.capacity + (now - kT0) / p.interval_ns);
      REQUIRE(tat - now <= p.burst_ns);  // the bucket never holds less than empty
    }
    // And it is not stingy: a greedy caller gets at least all but one burst of it.
    REQUIRE(allowed >= (now - kT0) / p.interval_ns - 4);
  }
}

TEST_CASE("cost must be from 1 to the capacity", "[gcra]") {
  const Params p = params(5, 1);
  REQUIRE(sg::gcra::cost_fits(1, p));
  REQUIRE(sg::gcra::cost_fits(5, p));
  REQUIRE_FALSE(sg::gcra::cost_fits(6, p));
  REQUIRE_FALSE(sg::gcra::cost_fits(0, p));
  REQUIRE_FALSE(sg::gcra::cost_fits(-1, p));
}

TEST_CASE("the longest bucket the params allow: exact answers, no overflow", "[gcra]") {
  // capacity × interval just under 2^62 ns. A drained bucket's TAT is now + burst, and taking
  // another full bucket's worth would put the next TAT at now + 2 × burst: past INT64_MAX once
  // now is above a second (UBSan aborts; wrapped, the drained bucket said yes).
  const double interval = std::floor(static_cast<double>(sg::gcra::kMaxBurstNs) / 1e9);
  const Params p = params(1e9, 1e9 / interval);
  REQUIRE(p.interval_ns == static_cast<int64_t>(interval));
  REQUIRE(p.burst_ns > sg::gcra::kMaxBurstNs - p.interval_ns);
  int64_t tat = kT0;
  REQUIRE(sg::gcra::take(tat, p.capacity, kT0, p).allowed);
  REQUIRE(tat == kT0 + p.burst_ns);
  for (const int64_t cost : {p.capacity, p.capacity / 2, int64_t{1}}) {
    const int64_t before = tat;
    const auto r = sg::gcra::take(tat, cost, kT0, p);
    REQUIRE_FALSE(r.allowed);
    REQUIRE(r.remaining == 0);
    REQUIRE(r.retry_after_ms == (cost * p.interval_ns + kMs - 1) / kMs);
    REQUIRE(tat == before);
    REQUIRE_FALSE(sg::gcra::peek(tat, cost, kT0, p).allowed);
  }
  // Half the bucket back after half the time; all of it after all of it.
  const auto half = sg::gcra::take(tat, p.capacity / 2, kT0 + (p.capacity / 2) * p.interval_ns, p);
  REQUIRE(half.allowed);
  REQUIRE(half.remaining == 0);
  REQUIRE(sg::gcra::peek(tat, p.capacity, tat, p).allowed);
  REQUIRE(sg::gcra::peek(tat, p.capacity, tat, p).remaining == 0);
  const int64_t later = kT0 + (p.capacity / 2) * p.interval_ns;
  sg::gcra::refund(tat, p.capacity, later, p);
  REQUIRE(sg::gcra::is_full(tat, later));
}
