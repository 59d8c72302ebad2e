// Binding functions for password hashing: Argon2 hash/verify/parse (PHC strings), bcrypt
// hash/verify/parse, the hash pool's settings and statistics, and a test hook for the SIMD level.
#pragma once
#include <napi.h>

namespace sga {
void RegisterHash(Napi::Env env, Napi::Object exports);
}
