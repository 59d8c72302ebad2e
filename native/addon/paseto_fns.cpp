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

// Token, payload and purpose strings are read into reused per-thread buffers, so the hot path
// (unseal on every request) allocates nothing on the way in. The buffers stay bounded: a string
// over kReusedMaxBytes gets a buffer of its own for that call, freed when it ends, so one huge
// (refused) call never makes every later call pay for its size.
constexpr size_t kReusedMaxBytes = 64 * 1024;
thread_local std::string scratch;
thread_local std::string implicit_scratch;

// A JS string argument as UTF-8, wiped when the call ends however it ends (a payload being sealed
// is secret). Only the bytes this call wrote are wiped: the cost is this call's size, never the
// largest call's.
class Utf8Arg {
 public:
  Utf8Arg(const Napi::CallbackInfo& info, size_t i, const char* name, std::string& reused) {
    if (!info[i].IsString()) {
      ThrowType(info.Env(), std::string("The \"") + name + "\" argument must be a string");
    }
    napi_env env = info.Env();
    // The UTF-16 length is O(1); each UTF-16 unit is at most 3 UTF-8 bytes (a surrogate pair, 2
    // units, is 4), so one read into 3n + 1 bytes always takes the whole string: nothing is
    // ever cut at a multi-byte boundary.
    size_t units = 0;
    napi_get_value_string_utf16(env, info[i], nullptr, 0, &units);
    const size_t cap = 3 * units + 1;
    buf_ = cap <= kReusedMaxBytes ? &reused : &own_;
    if (buf_->size() < cap) buf_->resize(cap);
    size_t len = 0;
    napi_get_value_string_utf8(env, info[i], buf_->data(), cap, &len);
    written_ = len + 1;  // and its NUL
    len_ = len;
  }
  ~Utf8Arg() {
    sodium_memzero(buf_->data(), written_);
    if (buf_ == &own_) std::string().swap(own_);
  }
  Utf8Arg(const Utf8Arg&) = delete;
  Utf8Arg& operator=(const Utf8Arg&) = delete;

  const char* data() const { return buf_->data(); }
  const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(buf_->data()); }
  size_t size() const { return len_; }

 private:
  std::string own_;
  std::string* buf_;
  size_t written_ = 0;
  size_t len_ = 0;
};

// The plaintext of an unseal: wiped when the call ends (only what was written), and released when
// a large token made it grow past kReusedMaxBytes.
struct WipeMessage {
  std::string& s;
  ~WipeMessage() {
    sodium_memzero(s.data(), s.size());
    s.clear();
    if (s.capacity() > kReusedMaxBytes) std::string().swap(s);
  }
};

const LocalKey& KeyArg(const Napi::CallbackInfo& info, size_t i) {
  bool ok = false;
  if (info[i].IsExternal()) ok = info[i].As<Napi::Object>().CheckTypeTag(&kLocalKeyTag);
  if (!ok) ThrowType(info.Env(), "The \"key\" argument must be a key handle from localKey()");
  return *info[i].As<Napi::External<LocalKey>>().Data();
}

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
  const Utf8Arg paserk(info, 0, "paserk", tmp);
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(info.Env(), 32);
  const bool ok = sg::paserk::k4_local_decode(paserk.data(), paserk.size(), out.Data());
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
  thread_local std::string footer_scratch;
  const Utf8Arg payload(info, 1, "payload", scratch);
  const Utf8Arg footer(info, 2, "footer", footer_scratch);
  const Utf8Arg implicit(info, 3, "implicit", implicit_scratch);
  const std::string token =
      sg::paseto::v4_local_encrypt(key, payload.bytes(), payload.size(), footer.bytes(),
                                   footer.size(), implicit.bytes(), implicit.size());
  return Napi::String::New(info.Env(), token);
}

// unseal(key, token: string, implicit: string) -> payload string | null. Never throws for a
// bad token: every failure is null.
Napi::Value Unseal(const Napi::CallbackInfo& info) {
  const LocalKey& key = KeyArg(info, 0);
  thread_local std::string message;
  const WipeMessage wipe{message};  // the plaintext, whatever happens below
  const Utf8Arg token(info, 1, "token", scratch);
  const Utf8Arg implicit(info, 2, "implicit", implicit_scratch);
  const bool ok = sg::paseto::v4_local_decrypt(key, token.data(), token.size(), implicit.bytes(),
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
