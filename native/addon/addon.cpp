// Module entry: per-environment state and the registration of every binding function.
#include <napi.h>

#include "errors.hpp"
#include "file_lock_fns.hpp"
#include "hash_fns.hpp"
#include "paseto_fns.hpp"
#include "rate_limit_fns.hpp"
#include "runtime_fns.hpp"
#include "sodium_runtime.hpp"
#include "state.hpp"
#include "token_fns.hpp"

namespace sga {

AddonState& State(Napi::Env env) { return *env.GetInstanceData<AddonState>(); }

}  // namespace sga

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  if (!sg::sodium_ready()) {
    Napi::Error::New(env, "ERR_NATIVE_INIT: libsodium could not be initialized")
        .ThrowAsJavaScriptException();
    return exports;
  }
  // Deleted by Node when this environment (main thread or worker) is torn down.
  env.SetInstanceData(new sga::AddonState());
  sga::RegisterRuntime(env, exports);
  sga::RegisterPaseto(env, exports);
  sga::RegisterFileLock(env, exports);
  sga::RegisterRateLimit(env, exports);
  sga::RegisterHash(env, exports);
  sga::RegisterTokens(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(start_guard, Init)
