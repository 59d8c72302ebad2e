// Per-environment addon state (one per main thread or worker_thread), so the addon is safe to
// load in several worker_threads at once and unloads cleanly with each of them.
#pragma once
#include <napi.h>

#include <memory>

namespace sga {

struct HashLink;  // hash_delivery.hpp

struct AddonState {
  Napi::FunctionReference error_class;  // StartGuardError, handed over once by lib/native.ts
  std::shared_ptr<HashLink> hash_link;  // where the hash pool delivers this environment's results
};

AddonState& State(Napi::Env env);

}  // namespace sga
