#include "rate_registry.hpp"

#include <cstdio>
#include <map>
#include <mutex>

namespace sg {

namespace {

struct Registry {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<RateTable>> tables;
};

// Leaked on purpose: a worker_thread may still open a table while the process runs its static
// destructors.
Registry& registry() {
  static auto* r = new Registry();
  return *r;
}

std::string describe(const RateTable& t) {
  const gcra::Params& p = t.params();
  char refill[32];
  std::snprintf(refill, sizeof refill, "%.9g", 1e9 / static_cast<double>(p.interval_ns));
  return "capacity " + std::to_string(p.capacity) + ", refillPerSecond " + refill + ", maxKeys " +
         std::to_string(t.max_keys());
}

}  // namespace

std::shared_ptr<RateTable> open_named_rate_table(const std::string& name,
                                                 const gcra::Params& params, uint64_t max_keys,
                                                 std::string* existing) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.tables.find(name);
  if (it == r.tables.end()) {
    auto table = std::make_shared<RateTable>(params, max_keys);
    r.tables.emplace(name, table);
    return table;
  }
  const RateTable& t = *it->second;
  if (t.params().capacity == params.capacity && t.params().interval_ns == params.interval_ns &&
      t.max_keys() == max_keys) {
    return it->second;
  }
  if (existing != nullptr) *existing = describe(t);
  return nullptr;
}

}  // namespace sg
