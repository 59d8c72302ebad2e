#include "runtime_fns.hpp"

#include "errors.hpp"
#include "random.hpp"
#include "sodium_runtime.hpp"
#include "state.hpp"

namespace sga {

namespace {

constexpr uint32_t kMaxRandomBytes = 65536;

Napi::Value Versions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("sodium", sg::sodium_version());
  out.Set("napi", Napi::Number::New(env, NAPI_VERSION));
  return out;
}

Napi::Value CpuFeatures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const sg::CpuFeatures f = sg::cpu_features();
  Napi::Object out = Napi::Object::New(env);
  out.Set("sse2", f.sse2);
  out.Set("ssse3", f.ssse3);
  out.Set("sse41", f.sse41);
  out.Set("avx", f.avx);
  out.Set("avx2", f.avx2);
  out.Set("avx512f", f.avx512f);
  out.Set("aesni", f.aesni);
  out.Set("pclmul", f.pclmul);
  out.Set("rdrand", f.rdrand);
  return out;
}

Napi::Value RandomBytes(const Napi::CallbackInfo& info) {
  const uint32_t n = ArgUint32(info, 0, "size");
  if (n > kMaxRandomBytes) ThrowRange(info.Env(), "The \"size\" argument must be at most 65536");
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(info.Env(), n);
  sg::random_fill(out.Data(), n);
  return out;
}

// lib/native.ts hands StartGuardError over once, so C++ throws the same class users catch.
Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction())
    ThrowType(info.Env(), "The \"errorClass\" argument must be a function");
  State(info.Env()).error_class = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

}  // namespace

void RegisterRuntime(Napi::Env env, Napi::Object exports) {
  exports.Set("versions", Napi::Function::New(env, Versions, "versions"));
  exports.Set("cpuFeatures", Napi::Function::New(env, CpuFeatures, "cpuFeatures"));
  exports.Set("randomBytes", Napi::Function::New(env, RandomBytes, "randomBytes"));
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass, "setErrorClass"));
}

}  // namespace sga
