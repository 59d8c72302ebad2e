#include "errors.hpp"

#include "state.hpp"

namespace sga {

namespace {
[[noreturn]] void ThrowWithCode(Napi::Error error, const char* code) {
  error.Set("code", Napi::String::New(error.Env(), code));
  throw error;
}
}  // namespace

Napi::Error CodedError(Napi::Env env, const char* code, const std::string& message) {
  const std::string text = std::string(code) + ": " + message;
  AddonState& state = State(env);
  if (!state.error_class.IsEmpty()) {
    Napi::Object err =
        state.error_class.New({Napi::String::New(env, code), Napi::String::New(env, text)});
    return Napi::Error(env, err);
  }
  Napi::Error error = Napi::Error::New(env, text);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

void ThrowCoded(Napi::Env env, const char* code, const std::string& message) {
  throw CodedError(env, code, message);
}

void ThrowType(Napi::Env env, const std::string& message) {
  ThrowWithCode(Napi::TypeError::New(env, message), "ERR_INVALID_ARG_TYPE");
}

void ThrowRange(Napi::Env env, const std::string& message) {
  ThrowWithCode(Napi::RangeError::New(env, message), "ERR_OUT_OF_RANGE");
}

Napi::Uint8Array ArgBytes(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowType(info.Env(), std::string("The \"") + name + "\" argument must be a Uint8Array");
  }
  return info[i].As<Napi::Uint8Array>();
}

std::string ArgString(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsString()) {
    ThrowType(info.Env(), std::string("The \"") + name + "\" argument must be a string");
  }
  return info[i].As<Napi::String>().Utf8Value();
}

uint32_t ArgUint32(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) {
    ThrowType(info.Env(), std::string("The \"") + name + "\" argument must be a number");
  }
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0 && v <= 4294967295.0) || v != static_cast<double>(static_cast<uint32_t>(v))) {
    ThrowRange(info.Env(),
               std::string("The \"") + name + "\" argument must be an integer from 0 to 2^32-1");
  }
  return static_cast<uint32_t>(v);
}

}  // namespace sga
