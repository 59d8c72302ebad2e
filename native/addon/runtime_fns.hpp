// Binding functions about the runtime: versions, CPU features, random bytes.
#pragma once
#include <napi.h>

namespace sga {
void RegisterRuntime(Napi::Env env, Napi::Object exports);
}
