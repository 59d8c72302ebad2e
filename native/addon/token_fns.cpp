#include "token_fns.hpp"

#include <string>

#include "errors.hpp"
#include "token_verifier.hpp"

namespace sga {

namespace {

// The secret is decoded by lib/tokens from the presented token and wiped there after the call.
Napi::Uint8Array SecretArg(const Napi::CallbackInfo& info) {
  Napi::Uint8Array secret = ArgBytes(info, 0, "secret");
  if (secret.ByteLength() != sg::kTokenSecretBytes)
    ThrowRange(info.Env(), "The \"secret\" argument must be 32 bytes");
  return secret;
}

// tokenVerifier(secret: Uint8Array(32), binding: string) -> Uint8Array(32)
Napi::Value TokenVerifier(const Napi::CallbackInfo& info) {
  Napi::Uint8Array secret = SecretArg(info);
  const std::string binding = ArgString(info, 1, "binding");
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(info.Env(), sg::kTokenVerifierBytes);
  sg::token_verifier(secret.Data(), reinterpret_cast<const uint8_t*>(binding.data()),
                     binding.size(), out.Data());
  return out;
}

// tokenVerifierMatches(secret: Uint8Array(32), binding: string, expected: Uint8Array) -> boolean.
// `expected` comes from a store: a wrong length is a mismatch, not an error.
Napi::Value TokenVerifierMatches(const Napi::CallbackInfo& info) {
  Napi::Uint8Array secret = SecretArg(info);
  const std::string binding = ArgString(info, 1, "binding");
  Napi::Uint8Array expected = ArgBytes(info, 2, "expected");
  const bool ok = sg::token_verifier_matches(
      secret.Data(), reinterpret_cast<const uint8_t*>(binding.data()), binding.size(),
      expected.Data(), expected.ByteLength());
  return Napi::Boolean::New(info.Env(), ok);
}

}  // namespace

void RegisterTokens(Napi::Env env, Napi::Object exports) {
  exports.Set("tokenVerifier", Napi::Function::New(env, TokenVerifier, "tokenVerifier"));
  exports.Set("tokenVerifierMatches",
              Napi::Function::New(env, TokenVerifierMatches, "tokenVerifierMatches"));
}

}  // namespace sga
