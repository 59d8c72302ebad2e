// Per-environment addon state (one per main thread or worker_thread), so the addon is safe to
// load in several worker_threads at once and unloads cleanly with each of them.
#pragma once
#include <napi.h>

namespace sga {

struct AddonState {
  Napi::FunctionReference error_class;  // StartGuardError, handed over once by lib/native.ts
};

AddonState& State(Napi::Env env);

}  // namespace sga
