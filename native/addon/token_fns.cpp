#include "token_fns.hpp"

#include <sodium.h>

#include <string>

#include "base64url.hpp"
#include "errors.hpp"
#include "random.hpp"
#include "secret.hpp"
#include "token_verifier.hpp"

namespace sga {

namespace {

const uint8_t* Bytes(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// tokenIssue(binding: string) -> [secret, verifier], both unpadded base64url. The secret's bytes
// exist only here, from the OS CSPRNG, and are wiped before returning: JavaScript only ever sees
// the token string it puts in the link.
Napi::Value TokenIssue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string binding = ArgString(info, 0, "binding");
  sg::SecretArray<sg::kTokenSecretBytes> secret;
  sg::random_fill(secret.data(), secret.size());
  uint8_t verifier[sg::kTokenVerifierBytes];
  sg::token_verifier(secret.data(), Bytes(binding), binding.size(), verifier);
  std::string secret_b64;
  sg::base64url_append(secret_b64, secret.data(), secret.size());  // constant-time encoder
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::String::New(env, secret_b64));
  sodium_memzero(secret_b64.data(), secret_b64.size());
  out.Set(1u, Napi::String::New(env, sg::base64url_encode(verifier, sizeof verifier)));
  return out;
}

// tokenVerifierMatches(secret: string, binding: string, expected: string) -> boolean. The secret
// is the presented token's second half and `expected` a stored verifier, both base64url:
// anything that does not decode strictly to 32 bytes is a mismatch, never an error.
Napi::Value TokenVerifierMatches(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string secret_b64 = ArgString(info, 0, "secret");
  const std::string binding = ArgString(info, 1, "binding");
  const std::string expected_b64 = ArgString(info, 2, "expected");
  sg::SecretArray<sg::kTokenSecretBytes> secret;
  size_t secret_len = 0;
  const bool secret_ok = sg::base64url_decode(secret_b64.data(), secret_b64.size(), secret.data(),
                                              secret.size(), &secret_len);
  sodium_memzero(secret_b64.data(), secret_b64.size());
  uint8_t expected[sg::kTokenVerifierBytes];
  size_t expected_len = 0;
  const bool expected_ok = sg::base64url_decode_public(expected_b64.data(), expected_b64.size(),
                                                       expected, sizeof expected, &expected_len);
  if (!secret_ok || secret_len != sg::kTokenSecretBytes || !expected_ok) {
    return Napi::Boolean::New(env, false);
  }
  const bool ok = sg::token_verifier_matches(secret.data(), Bytes(binding), binding.size(),
                                             expected, expected_len);
  return Napi::Boolean::New(env, ok);
}

}  // namespace

void RegisterTokens(Napi::Env env, Napi::Object exports) {
  exports.Set("tokenIssue", Napi::Function::New(env, TokenIssue, "tokenIssue"));
  exports.Set("tokenVerifierMatches",
              Napi::Function::New(env, TokenVerifierMatches, "tokenVerifierMatches"));
}

}  // namespace sga
