// Binding functions of the rate-limit table: open a table, take/peek/refund/reset by key.
#pragma once
#include <napi.h>

namespace sga {
void RegisterRateLimit(Napi::Env env, Napi::Object exports);
}
