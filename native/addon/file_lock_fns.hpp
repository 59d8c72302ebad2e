// Binding functions for the file revocation store: an exclusive flock(2) (Node has none).
#pragma once
#include <napi.h>

namespace sga {
void RegisterFileLock(Napi::Env env, Napi::Object exports);
}
