// Binding functions of the single-use tokens: the optional server key, the verifier of a secret,
// and its constant-time check against a stored one.
#pragma once
#include <napi.h>

namespace sga {
void RegisterTokens(Napi::Env env, Napi::Object exports);
}
