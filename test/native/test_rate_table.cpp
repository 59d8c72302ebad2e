// The process-wide table: keyed hashes, bounded size with eviction of refilled buckets only,
// refusal when every bucket is still limiting, consistency with a plain model under colliding
// keys, and exact totals under threads.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gcra.hpp"
#include "rate_key.hpp"
#include "rate_registry.hpp"
#include "rate_table.hpp"

using sg::RateTable;
using sg::gcra::Params;

namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kT0 = 777 * kSecond;

Params params(double capacity, double refill) {
  Params p{};
  REQUIRE(sg::gcra::make_params(capacity, refill, p) == sg::gcra::ParamsError::none);
  return p;
}

uint64_t key(const std::string& s) { return sg::rate_key_hash(s.data(), s.size()); }

}  // namespace

TEST_CASE("rate keys: SipHash under a per-process key, stable, never 0", "[rate]") {
  REQUIRE(key("203.0.113.9") == key("203.0.113.9"));
  REQUIRE(key("203.0.113.9") != key("203.0.113.8"));
  REQUIRE(key("") != 0);
  REQUIRE(sg::rate_key_hash(nullptr, 0) == key(""));
  // Not an unkeyed hash: with libsodium's documented all-zero-key output it would be a
  // fixed function of the input; two processes would agree. Checked in JS across processes.
}

TEST_CASE("table: take, peek, refund and reset per key", "[rate]") {
  RateTable t(params(3, 1), 100);
  const uint64_t a = key("a"), b = key("b");
  REQUIRE(t.take(a, 2, kT0).result.remaining == 1);
  REQUIRE(t.peek(a, 1, kT0).result.remaining == 0);
  REQUIRE(t.peek(b, 1, kT0).result.remaining == 2);  // an unknown key is a full bucket
  REQUIRE(t.size() == 1);                            // and peek does not add it
  REQUIRE_FALSE(t.take(a, 2, kT0).result.allowed);
  t.refund(a, 1, kT0);
  REQUIRE(t.take(a, 2, kT0).result.allowed);
  t.reset(a);
  REQUIRE(t.size() == 0);
  REQUIRE(t.take(a, 3, kT0).result.allowed);
  REQUIRE_THROWS_AS(t.take(a, 4, kT0), std::out_of_range);
  REQUIRE_THROWS_AS(t.take(a, 0, kT0), std::out_of_range);
  REQUIRE_THROWS_AS(t.peek(a, 4, kT0), std::out_of_range);
  REQUIRE_THROWS_AS(t.refund(a, -1, kT0), std::out_of_range);
}

TEST_CASE("table: full of limiting buckets, a new key is refused, refilled ones are evicted",
          "[rate]") {
  RateTable t(params(1, 1), 10);  // one token a second
  for (int i = 0; i < 10; ++i) REQUIRE(t.take(key("k" + std::to_string(i)), 1, kT0).result.allowed);
  auto r = t.take(key("new"), 1, kT0);
  REQUIRE(r.table_full);
  REQUIRE_FALSE(r.result.allowed);
  REQUIRE(r.result.retry_after_ms == 1000);  // when the earliest bucket refills
  REQUIRE(t.peek(key("new"), 1, kT0).table_full);
  // Known keys keep their limits meanwhile.
  REQUIRE_FALSE(t.take(key("k3"), 1, kT0).result.allowed);
  REQUIRE_FALSE(t.take(key("k3"), 1, kT0).table_full);
  // Once refilled, they carry no information: evicted to make room.
  r = t.take(key("new"), 1, kT0 + kSecond);
  REQUIRE(r.result.allowed);
  REQUIRE_FALSE(r.table_full);
  REQUIRE(t.size() == 1);
}

TEST_CASE("table: eviction takes refilled buckets only, never one still limiting", "[rate]") {
  RateTable t(params(2, 1), 8);
  // Four keys drained (refill at +2 s), four that took one token (refill at +1 s).
  for (int i = 0; i < 4; ++i)
    REQUIRE(t.take(key("drained" + std::to_string(i)), 2, kT0).result.allowed);
  for (int i = 0; i < 4; ++i)
    REQUIRE(t.take(key("light" + std::to_string(i)), 1, kT0).result.allowed);
  const int64_t later = kT0 + kSecond;  // the light ones are full again, the drained are not
  for (int i = 0; i < 4; ++i) {
    REQUIRE(t.take(key("fresh" + std::to_string(i)), 1, later).result.allowed);
  }
  REQUIRE(t.take(key("one-too-many"), 1, later).table_full);
  for (int i = 0; i < 4; ++i) {
    // Each drained key holds exactly the one token refilled since: its limit survived.
    const auto r = t.take(key("drained" + std::to_string(i)), 1, later);
    REQUIRE(r.result.allowed);
    REQUIRE(r.result.remaining == 0);
    REQUIRE_FALSE(t.take(key("drained" + std::to_string(i)), 1, later).result.allowed);
  }
}

TEST_CASE("table: a large table splits max_keys exactly over its shards", "[rate]") {
  const uint64_t max_keys = 300'007;       // prime: does not divide evenly into 64 shards
  RateTable t(params(1, 1e-3), max_keys);  // nothing refills during the test
  uint64_t allowed = 0, full = 0;
  for (uint64_t i = 0; i < max_keys + 50'000; ++i) {
    const auto r = t.take(key(std::to_string(i)), 1, kT0);
    allowed += r.result.allowed ? 1 : 0;
    full += r.table_full ? 1 : 0;
  }
  REQUIRE(t.size() == allowed);
  REQUIRE(allowed <= max_keys);
  REQUIRE(allowed + full == max_keys + 50'000);
  // Shards fill unevenly, but only the last few percent before max_keys are refused.
  REQUIRE(allowed > max_keys * 95 / 100);
  // Keep going: with the table full, every new key is refused, every known key still answers.
  REQUIRE(t.take(key("x"), 1, kT0).table_full);
  REQUIRE_FALSE(t.take(key("0"), 1, kT0).table_full);
}

namespace {

// A plain model of the table that never evicts: an evicted bucket was full, and a full bucket
// answers exactly as an unknown key does, so the model predicts every answer of the table
// without knowing its eviction rule. The one thing it cannot predict is a refusal for want of
// room; what it can check of one: the key was not limited, the shard was at its cap, and (from
// the table's size) how many of the buckets it held had refilled.
struct Model {
  const Params p;
  std::map<uint64_t, int64_t> tats;  // every key given a bucket and not reset

  // Buckets the table holds that have refilled: every key the model has that the table no
  // longer holds was evicted, and was full.
  uint64_t held_full(const RateTable& t, int64_t now) const {
    uint64_t full = 0;
    for (const auto& [k, tat] : tats) full += sg::gcra::is_full(tat, now) ? 1 : 0;
    const uint64_t evicted = tats.size() - const_cast<RateTable&>(t).size();
    REQUIRE(full >= evicted);
    return full - evicted;
  }

  bool limited(uint64_t k, int64_t now) const {
    auto it = tats.find(k);
    return it != tats.end() && !sg::gcra::is_full(it->second, now);
  }
};

}  // namespace

TEST_CASE("table: matches a plain model under colliding keys, erases and sweeps", "[rate]") {
  // One shard of 150 keys, keys built so their slot bits collide in long runs.
  const Params p = params(3, 2);
  const uint64_t cap = 150;
  RateTable t(p, cap);
  Model model{p, {}};
  std::mt19937_64 rng(99);
  int64_t now = kT0;
  int refused_full = 0;
  for (int step = 0; step < 200'000; ++step) {
    // First slow traffic (buckets refill between visits: sweeps evict), then a fast burst (the
    // table fills with limiting buckets: new keys refused).
    now += static_cast<int64_t>(rng() % (step < 100'000 ? kSecond / 20 : kSecond / 5000));
    // 400 keys whose low byte is one of 8 values: runs cross each other and wrap.
    const uint64_t k = ((rng() % 400 + 1) << 8) | (248 + rng() % 8);
    const int64_t cost = 1 + static_cast<int64_t>(rng() % 3);
    const int op = static_cast<int>(rng() % 10);
    if (op == 0) {
      t.reset(k);
      model.tats.erase(k);
    } else if (op == 1) {
      t.refund(k, cost, now);
      auto it = model.tats.find(k);
      if (it != model.tats.end()) sg::gcra::refund(it->second, cost, now, p);
    } else {
      const bool peek = op == 2;
      const auto got = peek ? t.peek(k, cost, now) : t.take(k, cost, now);
      if (got.table_full) {
        REQUIRE_FALSE(model.limited(k, now));  // a limit is never forgotten
        REQUIRE(t.size() == cap);
        REQUIRE_FALSE(got.result.allowed);
        REQUIRE(got.result.retry_after_ms >= 1);
        ++refused_full;
        continue;
      }
      auto it = model.tats.find(k);
      int64_t tat = it == model.tats.end() ? now : it->second;
      const auto want =
          peek ? sg::gcra::peek(tat, cost, now, p) : sg::gcra::take(tat, cost, now, p);
      REQUIRE(got.result.allowed == want.allowed);
      REQUIRE(got.result.remaining == want.remaining);
      REQUIRE(got.result.retry_after_ms == want.retry_after_ms);
      if (!peek && (it != model.tats.end() || want.allowed)) model.tats[k] = tat;
    }
    REQUIRE(t.size() <= cap);
  }
  REQUIRE(refused_full > 100);
  REQUIRE(t.sweeps() > 100);
  // Every key the model holds answers the same from the table.
  for (const auto& [k, tat] : model.tats) {
    const auto got = t.peek(k, 1, now);
    if (got.table_full) {
      REQUIRE_FALSE(model.limited(k, now));
      continue;
    }
    REQUIRE(got.result.remaining == sg::gcra::peek(tat, 1, now, p).remaining);
  }
}

TEST_CASE("table: keys added since the last sweep make room once they refill", "[rate]") {
  // One shard of 256. Half its buckets drained for 100 s, half refilled in 1 s: the first sweep
  // keeps the drained half. New keys then take the freed half, each refilled a second later:
  // from then on half the table carries no information, and a new key must get in.
  RateTable t(params(100, 1), 256);
  for (int i = 0; i < 128; ++i) {
    REQUIRE(t.take(key("drained" + std::to_string(i)), 100, kT0).result.allowed);
    REQUIRE(t.take(key("light" + std::to_string(i)), 1, kT0).result.allowed);
  }
  for (int i = 0; i < 128; ++i) {
    REQUIRE(t.take(key("second" + std::to_string(i)), 1, kT0 + kSecond).result.allowed);
  }
  REQUIRE(t.size() == 256);
  REQUIRE(t.take(key("too early"), 1, kT0 + kSecond).table_full);
  const auto r = t.take(key("late"), 1, kT0 + 2 * kSecond);
  REQUIRE_FALSE(r.table_full);
  REQUIRE(r.result.allowed);
  // Refunded buckets are full again: they make room too.
  for (int i = 0; i < 127; ++i) {
    REQUIRE(t.take(key("third" + std::to_string(i)), 1, kT0 + 2 * kSecond).result.allowed);
  }
  REQUIRE(t.take(key("no room"), 1, kT0 + 2 * kSecond).table_full);
  for (int i = 0; i < 127; ++i) t.refund(key("third" + std::to_string(i)), 1, kT0 + 2 * kSecond);
  REQUIRE(t.take(key("after refunds"), 1, kT0 + 2 * kSecond).result.allowed);
}

TEST_CASE("table: under a flood, a new key is refused only while few buckets have refilled",
          "[rate]") {
  // One shard of 512 (a sixteenth: 32). A flood of new keys, each taking one token, among
  // clients that come back and drain their buckets for a long while. When the table refuses a
  // new key, fewer than 2 × 32 of the buckets it holds may have refilled: the table may wait for
  // a sixteenth to refill before it sweeps, counted among the buckets that survived the last
  // sweep and, apart, among those given out since. (The table before this test refused with up
  // to 147 of 512 refilled here: it counted the survivors only.)
  const Params p = params(50, 1);
  const uint64_t cap = 512;
  RateTable t(p, cap);
  Model model{p, {}};
  std::mt19937_64 rng(7);
  std::vector<uint64_t> known;
  int64_t now = kT0;
  uint64_t refused = 0, worst = 0;
  for (int step = 0; step < 100'000; ++step) {
    now += static_cast<int64_t>(rng() % (kSecond / 100));
    uint64_t k;
    int64_t cost = 1;
    if (!known.empty() && rng() % 4 == 0) {
      k = known[rng() % known.size()];  // a client back: it drains its bucket
      cost = 1 + static_cast<int64_t>(rng() % 50);
    } else {
      k = key("flood" + std::to_string(step));
    }
    const auto got = t.take(k, cost, now);
    if (got.table_full) {
      REQUIRE_FALSE(model.limited(k, now));
      const uint64_t full = model.held_full(t, now);
      worst = std::max(worst, full);
      REQUIRE(full < 2 * (cap / 16));
      ++refused;
      continue;
    }
    auto it = model.tats.find(k);
    int64_t tat = it == model.tats.end() ? now : it->second;
    REQUIRE(sg::gcra::take(tat, cost, now, p).allowed == got.result.allowed);
    if (got.result.allowed) {
      if (it == model.tats.end() && known.size() < 4096) known.push_back(k);
      model.tats[k] = tat;
    }
  }
  INFO("refused " << refused << ", most refilled at a refusal " << worst);
  REQUIRE(refused > 1000);
  REQUIRE(t.sweeps() > 100);
}

TEST_CASE("table: a sweep keeps every run reachable when it wraps over cleared slots", "[rate]") {
  // Raw keys choose their slots (low byte: a one-shard table has 256 slots). Positions after
  // inserting in this order: 245 C (home 245), 246 F (home 245), 247 A (home 247), 248 E
  // (home 246). C and A refill first; the sweep clears them and must pull F to 245 and E to 246
  // (re-seating from a slot that held nothing before the sweep, not from a cleared one).
  RateTable t(params(2, 1), 5);
  const auto k = [](uint64_t n, uint64_t home) { return (n << 8) | home; };
  const uint64_t c = k(1, 245), f = k(2, 245), a = k(3, 247), e = k(4, 246), g = k(5, 10);
  REQUIRE(t.take(c, 1, kT0).result.allowed);
  REQUIRE(t.take(f, 2, kT0).result.allowed);
  REQUIRE(t.take(a, 1, kT0).result.allowed);
  REQUIRE(t.take(e, 2, kT0).result.allowed);
  REQUIRE(t.take(g, 2, kT0).result.allowed);
  const int64_t later = kT0 + kSecond;
  REQUIRE(t.take(k(6, 100), 1, later).result.allowed);  // full: sweeps C and A out
  REQUIRE(t.size() == 4);
  for (uint64_t still_limited : {f, e, g}) {
    const auto r = t.peek(still_limited, 1, later);
    REQUIRE(r.result.allowed);
    REQUIRE(r.result.remaining == 0);  // one token refilled of two taken: the bucket was found
  }
}

TEST_CASE("table: under a steady key flood, eviction work stays amortized", "[rate]") {
  // The worst case for eviction: a full shard whose buckets refill one at a time, exactly as
  // fast as new keys arrive (an attacker sending new keys at the rate old ones expire). Sweeping
  // for each one refilled bucket would cost a pass over the shard per new key.
  const uint64_t cap = 4096;  // one shard
  RateTable t(params(1, 1), cap);
  const int64_t step = kSecond / static_cast<int64_t>(cap);
  for (uint64_t i = 0; i < cap; ++i) {
    REQUIRE(t.take(key("old" + std::to_string(i)), 1, kT0 + static_cast<int64_t>(i) * step)
                .result.allowed);
  }
  const int kNew = 20'000;
  int allowed = 0;
  for (int j = 0; j < kNew; ++j) {
    const int64_t now = kT0 + kSecond + static_cast<int64_t>(j) * step;
    if (t.take(key("new" + std::to_string(j)), 1, now).result.allowed) ++allowed;
  }
  // Each sweep must free a sixteenth of the shard: at most one sweep per 256 new keys.
  REQUIRE(t.sweeps() <= kNew / 256 + 2);
  // And new keys still get in: a key is refused only while fewer than 1/16 have refilled.
  REQUIRE(allowed >= kNew * 9 / 10);
  REQUIRE(t.size() <= cap);
}

TEST_CASE("table under threads: one bucket's tokens are handed out exactly once", "[rate]") {
  const Params p = params(500, 1e-3);  // no refill during the test
  RateTable t(p, 1'000'000);
  constexpr int kThreads = 4;
  constexpr int kSharedKeys = 50;
  std::atomic<int64_t> allowed_shared{0};
  std::atomic<int> go{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      while (go.load() == 0) {
      }
      std::mt19937_64 rng(static_cast<uint64_t>(th));
      for (int i = 0; i < 40'000; ++i) {
        // Shared keys contend; private keys make the shards grow while others read them.
        const std::string k = (i % 2 == 0) ? "shared" + std::to_string(rng() % kSharedKeys)
                                           : "t" + std::to_string(th) + "-" + std::to_string(i);
        const auto r = t.take(key(k), 1, kT0);
        if (i % 2 == 0 && r.result.allowed) allowed_shared.fetch_add(1);
        if (i % 2 == 1) REQUIRE(r.result.allowed);
      }
    });
  }
  go.store(1);
  for (auto& th : threads) th.join();
  // 4 × 20,000 takes over 50 keys of 500 tokens: every token of every shared key went, once.
  REQUIRE(allowed_shared.load() == kSharedKeys * 500);
  REQUIRE(t.size() == kSharedKeys + kThreads * 20'000);
  for (int i = 0; i < kSharedKeys; ++i) {
    REQUIRE(t.peek(key("shared" + std::to_string(i)), 1, kT0).result.remaining == 0);
  }
}

TEST_CASE("registry: one table per name, other settings under that name are refused", "[rate]") {
  std::string existing;
  auto a = sg::open_named_rate_table("test:registry", params(5, 1), 100, &existing);
  auto b = sg::open_named_rate_table("test:registry", params(5, 1), 100, &existing);
  REQUIRE(a != nullptr);
  REQUIRE(a == b);
  REQUIRE(sg::open_named_rate_table("test:registry", params(6, 1), 100, &existing) == nullptr);
  REQUIRE(existing.find("capacity 5") != std::string::npos);
  REQUIRE(sg::open_named_rate_table("test:registry", params(5, 2), 100, &existing) == nullptr);
  REQUIRE(sg::open_named_rate_table("test:registry", params(5, 1), 101, &existing) == nullptr);
  auto c = sg::open_named_rate_table("test:registry:other", params(6, 1), 100, &existing);
  REQUIRE(c != nullptr);
  REQUIRE(c != a);
}
