// Process-wide rate-limit tables by name: a limiter created with the same name in any thread of
// the process (the main thread or a worker_thread) gets the same table, hence the same buckets.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "rate_table.hpp"

namespace sg {

// The table named `name`, created on first use. A name already open with another capacity,
// refill rate or max_keys gives nullptr and, in *existing, those settings: two limiters of one
// name are one set of buckets, so they must agree on what a bucket is. Named tables live as
// long as the process.
std::shared_ptr<RateTable> open_named_rate_table(const std::string& name,
                                                 const gcra::Params& params, uint64_t max_keys,
                                                 std::string* existing);

}  // namespace sg
