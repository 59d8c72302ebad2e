// Errors thrown from C++: StartGuardError (with a stable code) once lib/native.ts has handed the
// class over, TypeError/RangeError for wrong arguments. Messages start with the code and never
// contain secret data.
#pragma once
#include <napi.h>

#include <string>

namespace sga {

[[noreturn]] void ThrowCoded(Napi::Env env, const char* code, const std::string& message);
// The same error as a value, for rejecting a promise.
Napi::Error CodedError(Napi::Env env, const char* code, const std::string& message);
[[noreturn]] void ThrowType(Napi::Env env, const std::string& message);
[[noreturn]] void ThrowRange(Napi::Env env, const std::string& message);

// Argument readers that read like prose at the call site and throw a TypeError naming the
// argument when it has the wrong type.
Napi::Uint8Array ArgBytes(const Napi::CallbackInfo& info, size_t i, const char* name);
std::string ArgString(const Napi::CallbackInfo& info, size_t i, const char* name);
uint32_t ArgUint32(const Napi::CallbackInfo& info, size_t i, const char* name);

}  // namespace sga
