// Binding functions for sealed tokens: PASETO v4.local keys, seal and unseal, PASERK.
#pragma once
#include <napi.h>

namespace sga {
void RegisterPaseto(Napi::Env env, Napi::Object exports);
}
