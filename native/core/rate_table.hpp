// The in-process rate-limit table: token buckets (GCRA, gcra.hpp) keyed by the SipHash of the
// caller's key (rate_key.hpp), sharded, each shard behind its own mutex, so every thread of the
// process (worker_threads included) can share one table.
//
// Bounded: at most max_keys buckets, split evenly over the shards. A new key that finds its
// shard full evicts the buckets that have refilled (a full bucket carries no information); when
// every bucket in the shard is still limiting someone, the new key is refused rather than a
// limit forgotten. Each shard keeps a lower bound of its buckets' refill times, so a refusal
// under a key flood costs O(1), and a sweep (O(shard)) runs only once a sixteenth of the shard
// has refilled (a sixteenth of the buckets the last sweep kept, or of those given out since):
// about one pass per cap/16 new keys, whatever the order buckets refill in.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>

#include "gcra.hpp"

namespace sg {

constexpr uint64_t kRateMaxKeys = uint64_t{1} << 30;

struct RateAnswer {
  gcra::Result result;
  // Refused because the key was new and its shard had no room (every bucket still limiting).
  bool table_full;
};

class RateTable {
 public:
  // params from gcra::make_params; 1 <= max_keys <= kRateMaxKeys (the caller checks).
  RateTable(const gcra::Params& params, uint64_t max_keys);
  ~RateTable();
  RateTable(const RateTable&) = delete;
  RateTable& operator=(const RateTable&) = delete;

  // key is a rate_key_hash (never 0). A cost outside 1..capacity throws std::out_of_range.
  RateAnswer take(uint64_t key, int64_t cost, int64_t now_ns);
  RateAnswer peek(uint64_t key, int64_t cost, int64_t now_ns);
  void refund(uint64_t key, int64_t cost, int64_t now_ns);
  void reset(uint64_t key);

  // Buckets held now (full ones included until a sweep evicts them).
  uint64_t size();
  // Sweeps run so far (each a pass over one shard): the cost the eviction rule keeps amortized.
  uint64_t sweeps();
  const gcra::Params& params() const noexcept { return params_; }
  uint64_t max_keys() const noexcept { return max_keys_; }

 private:
  struct Shard;
  Shard& shard_of(uint64_t key) noexcept;

  gcra::Params params_;
  uint64_t max_keys_;
  unsigned shard_bits_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace sg
