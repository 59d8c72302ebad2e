// Per-environment addon state (one per main thread or worker_thread), so the addon is safe to
// load in several worker_threads at once and unloads cleanly with each of them.
#pragma once
#include <napi.h>

#include <memory>

namespace sga {

struct HashLink;  // hash_delivery.hpp

struct AddonState {
  Napi::FunctionReference error_class;  // StartGuardError, handed over once by lib/native.ts
  // The rate limiter's output array (rate_limit_fns.cpp), made by the first rateOutput().
  Napi::Reference<Napi::Float64Array> rate_out_ref;
  double* rate_out = nullptr;
  std::shared_ptr<HashLink> hash_link;  // where the hash pool delivers this environment's results
};

AddonState& State(Napi::Env env);

}  // namespace sga
