#include "paseto_fns.hpp"

#include <string>

#include "errors.hpp"
#include "key_derivation.hpp"
#include "paserk.hpp"
#include "paseto_v4_local.hpp"
#include "secret.hpp"

namespace sga {

namespace {

using sg::paseto::LocalKey;

// Tags the key handles so a foreign External (or a forged object) passed as a key is a
// TypeError instead of a wild pointer.
constexpr napi_type_tag kLocalKeyTag = {0x5f1c2a7e9b3d4c10ULL, 0x8e6f0a1b2c3d4e5fULL};

// Token and payload strings are read into reused per-thread buffers: the hot path (unseal on
// every request) then allocates nothing on the way in.
thread_local std::string scratch;

// Wipes a reused buffer's whole capacity when the call ends, however it ends (the payload being
// sealed is secret).
struct WipeOnExit {
  std::string& s;
  ~WipeOnExit() {
    s.resize(s.capacity());
    sodium_memzero(s.data(), s.size());
  }
};

// Reads a JS string as UTF-8 into `into`. napi never writes part of a multi-byte character, so a
// read that ends within 4 bytes of the buffer's end (and its NUL) may have stopped early: then
// the exact length is measured and the string read again. A silently cut string would let a token
// with junk appended verify, or one purpose match another that shares its prefix.
void ReadString(const Napi::CallbackInfo& info, size_t i, const char* name, std::string& into) {
  if (!info[i].IsString()) {
    ThrowType(info.Env(), std::string("The \"") + name + "\" argument must be a string");
  }
  napi_env env = info.Env();
  if (into.size() < 1024) into.resize(1024);
  into.resize(into.capacity());
  size_t len = 0;
  // napi writes at most size - 1 bytes and a NUL, all inside the string's own characters.
  napi_get_value_string_utf8(env, info[i], into.data(), into.size(), &len);
  if (len + 5 > into.size()) {
    napi_get_value_string_utf8(env, info[i], nullptr, 0, &len);
    if (len + 1 > into.size()) {
      // Growing reallocates: wipe first, so the freed buffer keeps nothing.
      sodium_memzero(into.data(), into.size());
      into.resize(len + 1);
    }
    napi_get_value_string_utf8(env, info[i], into.data(), into.size(), &len);
  }
  into.resize(len);
}

const LocalKey& KeyArg(const Napi::CallbackInfo& info, size_t i) {
  bool ok = false;
  if (info[i].IsExternal()) ok = info[i].As<Napi::Object>().CheckTypeTag(&kLocalKeyTag);
  if (!ok) ThrowType(info.Env(), "The \"key\" argument must be a key handle from localKey()");
  return *info[i].As<Napi::External<LocalKey>>().Data();
}

const uint8_t* U8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// localKey(raw: Uint8Array(32)) -> handle. The raw bytes are the caller's to wipe.
Napi::Value MakeLocalKey(const Napi::CallbackInfo& info) {
  Napi::Uint8Array raw = ArgBytes(info, 0, "key");
  if (raw.ByteLength() != sg::paseto::kKeyBytes)
    ThrowRange(info.Env(), "The \"key\" argument must be 32 bytes");
  auto handle = Napi::External<LocalKey>::New(info.Env(), new LocalKey(raw.Data()),
                                              [](Napi::Env, LocalKey* k) { delete k; });
  handle.TypeTag(&kLocalKeyTag);
  return handle;
}

// deriveKey(secret: Uint8Array) -> Uint8Array(32), BLAKE2b-256 under the fixed context.
Napi::Value DeriveKey(const Napi::CallbackInfo& info) {
  Napi::Uint8Array secret = ArgBytes(info, 0, "secret");
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(info.Env(), 32);
  sg::derive_sealer_key(secret.Data(), secret.ByteLength(), out.Data());
  return out;
}

// paserkLid(raw: Uint8Array(32)) -> "k4.lid.…"
Napi::Value PaserkLid(const Napi::CallbackInfo& info) {
  Napi::Uint8Array raw = ArgBytes(info, 0, "key");
  if (raw.ByteLength() != 32) ThrowRange(info.Env(), "The \"key\" argument must be 32 bytes");
  return Napi::String::New(info.Env(), sg::paserk::k4_lid(raw.Data()));
}

// paserkLocalDecode(s: string) -> Uint8Array(32) | null (strict)
Napi::Value PaserkLocalDecode(const Napi::CallbackInfo& info) {
  std::string tmp;
  WipeOnExit wipe{tmp};
  ReadString(info, 0, "paserk", tmp);
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(info.Env(), 32);
  const bool ok = sg::paserk::k4_local_decode(tmp.data(), tmp.size(), out.Data());
  if (!ok) return info.Env().Null();
  return out;
}

// paserkLocalEncode(raw: Uint8Array(32)) -> "k4.local.…" (the key itself: secret)
Napi::Value PaserkLocalEncode(const Napi::CallbackInfo& info) {
  Napi::Uint8Array raw = ArgBytes(info, 0, "key");
  if (raw.ByteLength() != 32) ThrowRange(info.Env(), "The \"key\" argument must be 32 bytes");
  std::string s = sg::paserk::k4_local_encode(raw.Data());
  Napi::String out = Napi::String::New(info.Env(), s);
  sodium_memzero(s.data(), s.size());
  return out;
}

// seal(key, payload: string, footer: string, implicit: string) -> token
Napi::Value Seal(const Napi::CallbackInfo& info) {
  const LocalKey& key = KeyArg(info, 0);
  std::string footer, implicit;
  WipeOnExit wipe{scratch};
  ReadString(info, 1, "payload", scratch);
  ReadString(info, 2, "footer", footer);
  ReadString(info, 3, "implicit", implicit);
  const std::string token = sg::paseto::v4_local_encrypt(
      key, U8(scratch), scratch.size(), U8(footer), footer.size(), U8(implicit), implicit.size());
  return Napi::String::New(info.Env(), token);
}

// unseal(key, token: string, implicit: string) -> payload string | null. Never throws for a
// bad token: every failure is null.
Napi::Value Unseal(const Napi::CallbackInfo& info) {
  const LocalKey& key = KeyArg(info, 0);
  thread_local std::string implicit, message;
  WipeOnExit wipe{message};  // the plaintext, whatever happens below
  ReadString(info, 1, "token", scratch);
  ReadString(info, 2, "implicit", implicit);
  const bool ok = sg::paseto::v4_local_decrypt(key, scratch.data(), scratch.size(), U8(implicit),
                                               implicit.size(), message);
  if (!ok) return info.Env().Null();
  return Napi::String::New(info.Env(), message);
}

}  // namespace

void RegisterPaseto(Napi::Env env, Napi::Object exports) {
  exports.Set("localKey", Napi::Function::New(env, MakeLocalKey, "localKey"));
  exports.Set("deriveKey", Napi::Function::New(env, DeriveKey, "deriveKey"));
  exports.Set("paserkLid", Napi::Function::New(env, PaserkLid, "paserkLid"));
  exports.Set("paserkLocalDecode",
              Napi::Function::New(env, PaserkLocalDecode, "paserkLocalDecode"));
  exports.Set("paserkLocalEncode",
              Napi::Function::New(env, PaserkLocalEncode, "paserkLocalEncode"));
  exports.Set("seal", Napi::Function::New(env, Seal, "seal"));
  exports.Set("unseal", Napi::Function::New(env, Unseal, "unseal"));
}

}  // namespace sga
