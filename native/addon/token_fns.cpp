#include "token_fns.hpp"

#include <sodium.h>

#include <string>

#include "base64url.hpp"
#include "errors.hpp"
#include "key_derivation.hpp"
#include "random.hpp"
#include "secret.hpp"
#include "token_verifier.hpp"

namespace sga {

namespace {

const uint8_t* Bytes(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

using TokenKey = sg::SecretArray<sg::kTokenKeyBytes>;

// Tags the server-key handles, so a foreign External passed as a key is a TypeError instead of a
// wild pointer.
constexpr napi_type_tag kTokenKeyTag = {0x3b7d91c4e2a65f08ULL, 0xa41c6e2f9d0b7358ULL};

// The optional server key at argument `i`: null (or absent) for the unkeyed form.
const uint8_t* KeyArg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || info[i].IsNull() || info[i].IsUndefined()) return nullptr;
  bool ok = false;
  if (info[i].IsExternal()) ok = info[i].As<Napi::Object>().CheckTypeTag(&kTokenKeyTag);
  if (!ok) ThrowType(info.Env(), "The \"key\" argument must be a key handle from tokenKey()");
  return info[i].As<Napi::External<TokenKey>>().Data()->data();
}

// tokenKey(secret: Uint8Array) -> handle: the server key derived from an application secret of
// at least 32 bytes (BLAKE2b-256 under "start-guard/token-key/v1"), held in C++ and wiped when the
// handle is collected. The secret's bytes are the caller's to wipe.
Napi::Value MakeTokenKey(const Napi::CallbackInfo& info) {
  Napi::Uint8Array secret = ArgBytes(info, 0, "secret");
  if (secret.ByteLength() < 32)
    ThrowRange(info.Env(), "The \"secret\" argument must be at least 32 bytes");
  auto* key = new TokenKey();
  sg::derive_token_key(secret.Data(), secret.ByteLength(), key->data());
  auto handle =
      Napi::External<TokenKey>::New(info.Env(), key, [](Napi::Env, TokenKey* k) { delete k; });
  handle.TypeTag(&kTokenKeyTag);
  return handle;
}

// tokenIssue(binding: string, key?: handle | null) -> [secret, verifier], both unpadded
// base64url. The secret's bytes exist only here, from the OS CSPRNG, and are wiped before
// returning: JavaScript only ever sees the token string it puts in the link.
Napi::Value TokenIssue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string binding = ArgString(info, 0, "binding");
  const uint8_t* key = KeyArg(info, 1);
  sg::SecretArray<sg::kTokenSecretBytes> secret;
  sg::random_fill(secret.data(), secret.size());
  uint8_t verifier[sg::kTokenVerifierBytes];
  sg::token_verifier(key, secret.data(), Bytes(binding), binding.size(), verifier);
  std::string secret_b64;
  sg::base64url_append(secret_b64, secret.data(), secret.size());  // constant-time encoder
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::String::New(env, secret_b64));
  sodium_memzero(secret_b64.data(), secret_b64.size());
  out.Set(1u, Napi::String::New(env, sg::base64url_encode(verifier, sizeof verifier)));
  return out;
}

// tokenVerifierMatches(secret: string, binding: string, expected: string, key?: handle | null)
// -> boolean. The secret is the presented token's second half and `expected` a stored verifier,
// both base64url: anything that does not decode strictly to 32 bytes is a mismatch, never an
// error.
Napi::Value TokenVerifierMatches(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string secret_b64 = ArgString(info, 0, "secret");
  const std::string binding = ArgString(info, 1, "binding");
  const std::string expected_b64 = ArgString(info, 2, "expected");
  const uint8_t* key = KeyArg(info, 3);
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
  const bool ok = sg::token_verifier_matches(key, secret.data(), Bytes(binding), binding.size(),
                                             expected, expected_len);
  return Napi::Boolean::New(env, ok);
}

}  // namespace

void RegisterTokens(Napi::Env env, Napi::Object exports) {
  exports.Set("tokenKey", Napi::Function::New(env, MakeTokenKey, "tokenKey"));
  exports.Set("tokenIssue", Napi::Function::New(env, TokenIssue, "tokenIssue"));
  exports.Set("tokenVerifierMatches",
              Napi::Function::New(env, TokenVerifierMatches, "tokenVerifierMatches"));
}

}  // namespace sga
