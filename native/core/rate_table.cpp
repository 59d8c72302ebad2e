#include "rate_table.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <limits>
#include <new>
#include <stdexcept>
#include <vector>

namespace sg {

namespace {

struct Slot {
  uint64_t key;  // 0: empty
  int64_t tat;
};

// One page of slots: the smallest array a shard maps.
constexpr uint32_t kMinSlots = 4096 / sizeof(Slot);
// A shard holds at least this many keys before the table is split further (at most 64 ways).
constexpr uint64_t kKeysPerShard = 4096;
constexpr unsigned kMaxShardBits = 6;
constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

// Slot arrays are mapped, not malloc'ed: unmapping the old array when a shard grows returns it to
// the system at once (glibc's heap would keep it, and raises its mmap threshold after each
// free), so resident memory follows the keys held. Fresh mappings are zero: every slot empty.
// MAP_POPULATE faults the pages in at once: a rehash touches all of them anyway, and one call
// beat a fault per page by 16% on a stream of new keys.
Slot* map_slots(uint32_t len) {
  void* p = mmap(nullptr, size_t{len} * sizeof(Slot), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return static_cast<Slot*>(p);
}

void unmap_slots(Slot* slots, uint32_t len) noexcept {
  if (slots != nullptr) munmap(slots, size_t{len} * sizeof(Slot));
}

}  // namespace

struct alignas(64) RateTable::Shard {
  std::mutex mu;
  Slot* slots = nullptr;
  uint32_t len = 0;
  uint32_t count = 0;
  uint32_t cap = 0;          // the most keys this shard may hold
  int64_t min_tat = kNever;  // at most the earliest TAT held: nothing is evictable before it
  // When a sweep will free at least a sixteenth of the shard (see sweep); none before it.
  int64_t sweep_after = std::numeric_limits<int64_t>::min();
  // The earliest refill times of buckets given out (new keys, refunds) since the last sweep, at
  // most a sixteenth of the shard of them, in a max-heap (see note).
  std::vector<int64_t> noted;
  uint64_t sweeps = 0;

  ~Shard() { unmap_slots(slots, len); }

  uint32_t mask() const noexcept { return len - 1; }

  // The slot holding `key`, or the empty slot where it would go.
  uint32_t find(uint64_t key) const noexcept {
    uint32_t i = static_cast<uint32_t>(key) & mask();
    while (slots[i].key != 0 && slots[i].key != key) i = (i + 1) & mask();
    return i;
  }

  // The slot holding `key`, or nullptr.
  Slot* lookup(uint64_t key) noexcept {
    if (len == 0) return nullptr;
    Slot& slot = slots[find(key)];
    return slot.key == key ? &slot : nullptr;
  }

  void place(Slot s) noexcept { slots[find(s.key)] = s; }

  void grow() {
    const uint32_t new_len = len == 0 ? kMinSlots : len * 2;
    Slot* old = slots;
    const uint32_t old_len = len;
    slots = map_slots(new_len);
    len = new_len;
    for (uint32_t i = 0; i < old_len; ++i) {
      if (old[i].key != 0) place(old[i]);
    }
    unmap_slots(old, old_len);
  }

  size_t batch() const noexcept { return std::max<size_t>(1, cap / 16); }

  // A bucket given out (a new key) or given back (a refund) refills at `tat`. The survivors of
  // the last sweep set sweep_after; buckets given out after them may refill sooner (one-token
  // keys after a sweep that kept only drained ones), so the shard keeps the earliest refill
  // times among them, a sixteenth of its cap of them, and once it has that many, sweep_after
  // comes down to the latest: the time by which a sixteenth will have refilled. A flood's new
  // keys refill in the order they came, so each costs one comparison; at worst O(log cap). No
  // sweep runs before a sixteenth can be free (unless those buckets were taken again since:
  // then that one sweep frees less, and sets sweep_after exactly).
  void note(int64_t tat) noexcept {
    // A bucket refilled no sooner than sweep_after cannot bring it down: not kept (before the
    // first sweep, every one: sweep_after is then the earliest time there is).
    if (tat >= sweep_after) return;
    const size_t n = batch();
    if (noted.size() < n) {
      // Gathered as they come; ordered once, when there are enough of them to matter.
      try {
        noted.push_back(tat);
      } catch (const std::bad_alloc&) {
        return;  // only an earlier sweep is lost
      }
      if (noted.size() < n) return;
      std::make_heap(noted.begin(), noted.end());
    } else {
      if (tat >= noted.front()) return;
      std::pop_heap(noted.begin(), noted.end());
      noted.back() = tat;
      std::push_heap(noted.begin(), noted.end());
    }
    sweep_after = std::min(sweep_after, noted.front());
  }

  // Drops every refilled bucket, then re-seats the rest (linear probing allows no hole between
  // an entry's home and its slot): walking once round from a slot that was empty before the
  // drop (no run crosses it), each entry taken out and put back lands at or before its old slot.
  // Recomputes min_tat exactly, and sweep_after: the time by which a sixteenth of the shard's
  // cap will have refilled (lowered by note as buckets come after). Sweeping for fewer would let
  // a flood whose buckets refill one at a time, as fast as new keys come, cost a pass over the
  // shard per new key; deferring keeps the passes to about one per cap/16 new keys, at the price
  // of refusing a new key while fewer than a sixteenth of the survivors, and fewer than a
  // sixteenth of the buckets given out since, have refilled (tested).
  void sweep(int64_t now_ns) {
    ++sweeps;
    min_tat = kNever;
    noted.clear();
    uint32_t start = len;
    for (uint32_t i = 0; i < len; ++i) {
      if (slots[i].key == 0) {
        if (start == len) start = i;
      } else if (gcra::is_full(slots[i].tat, now_ns)) {
        slots[i].key = 0;
        --count;
      }
    }
    if (start == len) return;  // no empty slot: impossible below a 3/4 load
    thread_local std::vector<int64_t> tats;
    tats.clear();
    for (uint32_t k = 1; k < len; ++k) {
      const uint32_t i = (start + k) & mask();
      if (slots[i].key == 0) continue;
      const Slot s = slots[i];
      slots[i].key = 0;
      place(s);
      min_tat = std::min(min_tat, s.tat);
      tats.push_back(s.tat);
    }
    const size_t n = batch();
    sweep_after = std::numeric_limits<int64_t>::min();
    if (tats.size() >= n) {
      std::nth_element(tats.begin(), tats.begin() + static_cast<ptrdiff_t>(n - 1), tats.end());
      sweep_after = tats[n - 1];
    }
  }

  // Room for one more key: below the cap, or after evicting refilled buckets.
  bool make_room(int64_t now_ns) {
    if (count < cap) return true;
    // Every bucket still limiting, or too few refilled to sweep for: O(1) under a flood.
    if (min_tat > now_ns || sweep_after > now_ns) return false;
    sweep(now_ns);
    return count < cap;
  }

  // Backward-shift deletion: entries after the hole that may move into it do.
  void erase(uint32_t i) noexcept {
    uint32_t j = i;
    for (;;) {
      j = (j + 1) & mask();
      if (slots[j].key == 0) break;
      const uint32_t home = static_cast<uint32_t>(slots[j].key) & mask();
      // The entry at j may fill the hole at i unless its home lies cyclically in (i, j].
      const bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!stays) {
        slots[i] = slots[j];
        i = j;
      }
    }
    slots[i].key = 0;
    --count;
  }

  // The refusal of a new key: it may find room at the next sweep.
  RateAnswer full(int64_t now_ns) const noexcept {
    const int64_t wait = std::max<int64_t>(std::max(min_tat, sweep_after) - now_ns, 1);
    return {{false, 0, (wait + 999'999) / 1'000'000}, true};
  }
};

namespace {
void check_cost(int64_t cost, const gcra::Params& p) {
  if (!gcra::cost_fits(cost, p)) throw std::out_of_range("cost must be from 1 to the capacity");
}
}  // namespace

RateTable::RateTable(const gcra::Params& params, uint64_t max_keys)
    : params_(params), max_keys_(max_keys), shard_bits_(0) {
  while (shard_bits_ < kMaxShardBits && (max_keys >> (shard_bits_ + 1)) >= kKeysPerShard) {
    ++shard_bits_;
  }
  const uint64_t n = uint64_t{1} << shard_bits_;
  shards_ = std::make_unique<Shard[]>(n);
  // Split max_keys exactly: the table as a whole never holds more.
  for (uint64_t i = 0; i < n; ++i) {
    shards_[i].cap = static_cast<uint32_t>(max_keys / n + (i < max_keys % n ? 1 : 0));
  }
}

RateTable::~RateTable() = default;

RateTable::Shard& RateTable::shard_of(uint64_t key) noexcept {
  // The top bits choose the shard, the low bits the slot: independent bits of a keyed PRF.
  return shards_[shard_bits_ == 0 ? 0 : key >> (64 - shard_bits_)];
}

RateAnswer RateTable::take(uint64_t key, int64_t cost, int64_t now_ns) {
  check_cost(cost, params_);
  Shard& s = shard_of(key);
  std::lock_guard<std::mutex> lock(s.mu);
  if (Slot* slot = s.lookup(key)) return {gcra::take(slot->tat, cost, now_ns, params_), false};
  if (!s.make_room(now_ns)) return s.full(now_ns);
  if (s.count + 1 > uint64_t{s.len} * 3 / 4) s.grow();
  int64_t tat = now_ns;
  const gcra::Result r = gcra::take(tat, cost, now_ns, params_);
  s.slots[s.find(key)] = {key, tat};
  ++s.count;
  s.min_tat = std::min(s.min_tat, tat);
  s.note(tat);
  return {r, false};
}

RateAnswer RateTable::peek(uint64_t key, int64_t cost, int64_t now_ns) {
  check_cost(cost, params_);
  Shard& s = shard_of(key);
  std::lock_guard<std::mutex> lock(s.mu);
  if (Slot* slot = s.lookup(key)) return {gcra::peek(slot->tat, cost, now_ns, params_), false};
  // Evicting refilled buckets changes no answer, so peek may do it to answer as take would.
  if (!s.make_room(now_ns)) return s.full(now_ns);
  return {gcra::peek(now_ns, cost, now_ns, params_), false};
}

void RateTable::refund(uint64_t key, int64_t cost, int64_t now_ns) {
  check_cost(cost, params_);
  Shard& s = shard_of(key);
  std::lock_guard<std::mutex> lock(s.mu);
  if (Slot* slot = s.lookup(key)) {
    gcra::refund(slot->tat, cost, now_ns, params_);
    s.min_tat = std::min(s.min_tat, slot->tat);
    s.note(slot->tat);
  }
}

void RateTable::reset(uint64_t key) {
  Shard& s = shard_of(key);
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.len == 0) return;
  const uint32_t i = s.find(key);
  if (s.slots[i].key == key) s.erase(i);
}

uint64_t RateTable::sweeps() {
  uint64_t n = 0;
  for (uint64_t i = 0; i < (uint64_t{1} << shard_bits_); ++i) {
    std::lock_guard<std::mutex> lock(shards_[i].mu);
    n += shards_[i].sweeps;
  }
  return n;
}

uint64_t RateTable::size() {
  uint64_t n = 0;
  for (uint64_t i = 0; i < (uint64_t{1} << shard_bits_); ++i) {
    std::lock_guard<std::mutex> lock(shards_[i].mu);
    n += shards_[i].count;
  }
  return n;
}

}  // namespace sg
