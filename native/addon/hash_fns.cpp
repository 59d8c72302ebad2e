#include "hash_fns.hpp"

#include <sodium.h>

#include <string>

#include "argon2_engine.hpp"
#include "argon2_simd.hpp"
#include "bcrypt.hpp"
#include "errors.hpp"
#include "hash_delivery.hpp"
#include "phc.hpp"
#include "random.hpp"
#include "secret.hpp"

namespace sga {

namespace {

namespace a2 = sg::argon2;
using sg::SecretBytes;

// Far above any sane policy (the policy layer caps passwords at 1024 bytes by default); here
// only so a runaway input cannot pin a pool thread.
constexpr size_t kMaxPasswordBytes = 1 << 20;
constexpr uint64_t kKiB = 1024;

// ---- argument readers (JS thread) ----------------------------------------------------------

SecretBytes CopyPassword(const Napi::CallbackInfo& info, size_t i) {
  Napi::Uint8Array pw = ArgBytes(info, i, "password");
  if (pw.ByteLength() > kMaxPasswordBytes)
    ThrowRange(info.Env(), "The \"password\" argument must be at most 1 MiB");
  return SecretBytes(pw.Data(), pw.ByteLength());
}

bool Has(const Napi::Object& o, const char* key) {
  return o.Has(key) && !o.Get(key).IsUndefined() && !o.Get(key).IsNull();
}

uint32_t OptUint32(Napi::Env env, const Napi::Object& o, const char* key, uint32_t fallback,
                   uint32_t min, uint32_t max) {
  if (!Has(o, key)) return fallback;
  Napi::Value v = o.Get(key);
  const std::string name = std::string("options.") + key;
  if (!v.IsNumber()) ThrowType(env, "The \"" + name + "\" option must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= min && d <= max) || d != static_cast<double>(static_cast<uint32_t>(d))) {
    ThrowRange(env, "The \"" + name + "\" option must be an integer from " + std::to_string(min) +
                        " to " + std::to_string(max));
  }
  return static_cast<uint32_t>(d);
}

Napi::Uint8Array OptBytes(Napi::Env env, const Napi::Object& o, const char* key, size_t min,
                          size_t max) {
  Napi::Value v = o.Get(key);
  const std::string name = std::string("options.") + key;
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    ThrowType(env, "The \"" + name + "\" option must be a Uint8Array");
  Napi::Uint8Array bytes = v.As<Napi::Uint8Array>();
  if (bytes.ByteLength() < min || bytes.ByteLength() > max) {
    ThrowRange(env, "The \"" + name + "\" option must be " + std::to_string(min) + " to " +
                        std::to_string(max) + " bytes");
  }
  return bytes;
}

a2::Variant VariantArg(Napi::Env env, const Napi::Object& o) {
  const Napi::Value v = o.Get("variant");
  const std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
  if (s == "argon2id") return a2::Variant::id;
  if (s == "argon2i") return a2::Variant::i;
  if (s == "argon2d") return a2::Variant::d;
  ThrowType(env, "The \"options.variant\" option must be 'argon2id', 'argon2i' or 'argon2d'");
}

// Optional ceilings object for parsing stored strings; absent fields keep the defaults.
sg::phc::Ceilings CeilingsArg(const Napi::CallbackInfo& info, size_t i) {
  sg::phc::Ceilings c;
  if (info.Length() <= i || info[i].IsUndefined() || info[i].IsNull()) return c;
  if (!info[i].IsObject()) ThrowType(info.Env(), "The \"ceilings\" argument must be an object");
  Napi::Object o = info[i].As<Napi::Object>();
  c.max_m_kib = OptUint32(info.Env(), o, "maxMemoryKiB", c.max_m_kib, 8, 0xFFFFFFFF);
  c.max_t = OptUint32(info.Env(), o, "maxPasses", c.max_t, 1, 0xFFFFFFFF);
  c.max_p = OptUint32(info.Env(), o, "maxParallelism", c.max_p, 1, a2::kMaxLanes);
  return c;
}

std::string ReadHashString(const Napi::CallbackInfo& info, size_t i, const char* name) {
  // Stored hashes are attacker-facing input: a non-string is a programmer error, but any
  // string, however long or odd, just fails to parse.
  if (!info[i].IsString())
    ThrowType(info.Env(), std::string("The \"") + name + "\" argument must be a string");
  size_t len = 0;
  napi_get_value_string_utf8(info.Env(), info[i], nullptr, 0, &len);
  if (len > sg::phc::kMaxLength) return std::string();
  return info[i].As<Napi::String>().Utf8Value();
}

Napi::Value Resolved(Napi::Env env, Napi::Value v) {
  auto deferred = Napi::Promise::Deferred::New(env);
  deferred.Resolve(v);
  return deferred.Promise();
}

// ---- jobs (run on pool threads; inputs copied in on the JS thread, wiped by destructors) ---

class Argon2HashJob final : public HashJob {
 public:
  a2::Params params;
  size_t tag_len = 32;
  SecretBytes password, secret;
  std::vector<uint8_t> salt, ad;
  std::string keyid;

  size_t memory_bytes() const noexcept override { return a2::memory_bytes(params); }
  void run(a2::Arena* arena) noexcept override {
    if (abandoned()) return;
    SecretBytes tag(tag_len);
    status_ = a2::hash_raw(params, Inputs(), tag.data(), tag.size(), arena);
    if (status_ == 0) {
      try {
        result_ = sg::phc::encode_argon2(params, keyid, ad.data(), ad.size(), salt.data(),
                                         salt.size(), tag.data(), tag.size());
      } catch (...) {
        status_ = -22;  // ARGON2_MEMORY_ALLOCATION_ERROR
      }
    }
  }
  Napi::Value settle(Napi::Env env) override {
    if (status_ != 0) throw HashFailed(env, status_);
    return Napi::String::New(env, result_);
  }
  static Napi::Error HashFailed(Napi::Env env, int status) {
    if (status == -22) return CodedError(env, "ERR_HASH_OVERLOADED", "out of memory for this hash");
    return CodedError(env, "ERR_HASH_FAILED", a2::error_message(status));
  }

 private:
  a2::Inputs Inputs() const {
    return a2::Inputs{{password.data(), password.size()},
                      {salt.data(), salt.size()},
                      {secret.data(), secret.size()},
                      {ad.data(), ad.size()}};
  }
  int status_ = -1;
  std::string result_;
};

class Argon2VerifyJob final : public HashJob {
 public:
  sg::phc::Argon2Hash stored;
  SecretBytes password, secret;

  size_t memory_bytes() const noexcept override { return a2::memory_bytes(stored.params); }
  void run(a2::Arena* arena) noexcept override {
    if (abandoned()) return;
    SecretBytes tag(stored.tag.size());
    const a2::Inputs in{{password.data(), password.size()},
                        {stored.salt.data(), stored.salt.size()},
                        {secret.data(), secret.size()},
                        {stored.ad.data(), stored.ad.size()}};
    status_ = a2::hash_raw(stored.params, in, tag.data(), tag.size(), arena);
    match_ = status_ == 0 && sodium_memcmp(tag.data(), stored.tag.data(), tag.size()) == 0;
  }
  Napi::Value settle(Napi::Env env) override {
    if (status_ == -22) throw Argon2HashJob::HashFailed(env, status_);
    return Napi::Boolean::New(env, match_);  // any other failure: a hash that does not verify
  }

 private:
  int status_ = -1;
  bool match_ = false;
};

class BcryptHashJob final : public HashJob {
 public:
  SecretBytes password;
  uint32_t cost = 10;

  size_t memory_bytes() const noexcept override { return 0; }
  void run(a2::Arena*) noexcept override {
    if (abandoned()) return;
    try {
      result_ = sg::bcrypt::hash(password.data(), password.size(), cost, hash_);
    } catch (...) {
      result_ = sg::bcrypt::Result::failed;
    }
  }
  Napi::Value settle(Napi::Env env) override {
    if (result_ != sg::bcrypt::Result::ok)
      throw CodedError(env, "ERR_HASH_FAILED", "bcrypt could not hash this password");
    return Napi::String::New(env, hash_);
  }

 private:
  sg::bcrypt::Result result_ = sg::bcrypt::Result::failed;
  std::string hash_;
};

class BcryptVerifyJob final : public HashJob {
 public:
  SecretBytes password;
  std::string hash;

  size_t memory_bytes() const noexcept override { return 0; }
  void run(a2::Arena*) noexcept override {
    if (abandoned()) return;
    try {
      sg::bcrypt::verify(hash.data(), hash.size(), password.data(), password.size(), match_);
    } catch (...) {
      match_ = false;
    }
  }
  Napi::Value settle(Napi::Env env) override { return Napi::Boolean::New(env, match_); }

 private:
  bool match_ = false;
};

// ---- binding functions ---------------------------------------------------------------------

// argon2Hash(password, options) -> Promise<PHC string>
Napi::Value Argon2Hash(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto job = std::make_unique<Argon2HashJob>();
  job->password = CopyPassword(info, 0);
  if (!info[1].IsObject()) ThrowType(env, "The \"options\" argument must be an object");
  Napi::Object o = info[1].As<Napi::Object>();
  a2::Params& p = job->params;
  p.variant = VariantArg(env, o);
  p.version = OptUint32(env, o, "version", a2::kVersion13, a2::kVersion10, a2::kVersion13);
  if (p.version != a2::kVersion10 && p.version != a2::kVersion13)
    ThrowRange(env, "The \"options.version\" option must be 16 (0x10) or 19 (0x13)");
  p.p = OptUint32(env, o, "parallelism", 0, 1, a2::kMaxLanes);
  p.t = OptUint32(env, o, "passes", 0, 1, 0xFFFFFFFF);
  p.m_kib = OptUint32(env, o, "memoryKiB", 0, 8 * p.p, 0xFFFFFFFF);
  if (p.p == 0 || p.t == 0 || p.m_kib == 0)
    ThrowType(env, "The options memoryKiB, passes and parallelism are required");
  job->tag_len = OptUint32(env, o, "tagLength", 32, a2::kMinTag, a2::kMaxTag);
  if (Has(o, "salt")) {
    Napi::Uint8Array salt = OptBytes(env, o, "salt", a2::kMinSalt, a2::kMaxSalt);
    job->salt.assign(salt.Data(), salt.Data() + salt.ByteLength());
  } else {
    job->salt.resize(OptUint32(env, o, "saltLength", 16, a2::kMinSalt, a2::kMaxSalt));
    sg::random_fill(job->salt.data(), job->salt.size());
  }
  if (Has(o, "secret")) {
    Napi::Uint8Array secret = OptBytes(env, o, "secret", 1, a2::kMaxSecret);
    job->secret = SecretBytes(secret.Data(), secret.ByteLength());
  }
  if (Has(o, "keyid")) {
    Napi::Value k = o.Get("keyid");
    job->keyid = k.IsString() ? k.As<Napi::String>().Utf8Value() : "";
    if (!sg::phc::valid_keyid(job->keyid))
      ThrowType(env, "The \"options.keyid\" option must be 1 to 64 characters of [A-Za-z0-9+/.-]");
  }
  if (Has(o, "associatedData")) {
    Napi::Uint8Array ad = OptBytes(env, o, "associatedData", 1, a2::kMaxAd);
    job->ad.assign(ad.Data(), ad.Data() + ad.ByteLength());
  }
  return Submit(env, std::move(job));
}

// argon2Verify(phc, password, secret | null, ceilings?) -> Promise<boolean>; false at once for a
// malformed or over-ceiling string (nothing is hashed).
Napi::Value Argon2Verify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string phc = ReadHashString(info, 0, "hash");
  auto job = std::make_unique<Argon2VerifyJob>();
  job->password = CopyPassword(info, 1);
  if (!info[2].IsNull() && !info[2].IsUndefined()) {
    Napi::Uint8Array secret = ArgBytes(info, 2, "secret");
    if (secret.ByteLength() > a2::kMaxSecret)
      ThrowRange(env, "The \"secret\" argument must be at most 128 bytes");
    job->secret = SecretBytes(secret.Data(), secret.ByteLength());
  }
  const sg::phc::Ceilings ceilings = CeilingsArg(info, 3);
  if (!sg::phc::parse_argon2(phc.data(), phc.size(), ceilings, job->stored))
    return Resolved(env, Napi::Boolean::New(env, false));
  return Submit(env, std::move(job));
}

// argon2Parse(phc, ceilings?) -> info | null
Napi::Value Argon2Parse(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string phc = ReadHashString(info, 0, "hash");
  const sg::phc::Ceilings ceilings = CeilingsArg(info, 1);
  sg::phc::Argon2Hash h;
  if (!sg::phc::parse_argon2(phc.data(), phc.size(), ceilings, h)) return env.Null();
  Napi::Object out = Napi::Object::New(env);
  out.Set("variant", sg::phc::variant_name(h.params.variant));
  out.Set("version", h.params.version);
  out.Set("memoryKiB", h.params.m_kib);
  out.Set("passes", h.params.t);
  out.Set("parallelism", h.params.p);
  out.Set("keyid", h.keyid.empty() ? env.Null() : Napi::String::New(env, h.keyid));
  out.Set("saltLength", static_cast<double>(h.salt.size()));
  out.Set("tagLength", static_cast<double>(h.tag.size()));
  out.Set("associatedDataLength", static_cast<double>(h.ad.size()));
  return out;
}

void RequireBcrypt(Napi::Env env) {
  if (const char* why = sg::bcrypt::unavailable_reason()) ThrowCoded(env, "ERR_NATIVE_LOAD", why);
}

// bcryptHash(password, cost) -> Promise<"$2b$…">. Over 72 bytes or a NUL byte: RangeError (the
// policy layer refuses such passwords before; never truncated here).
Napi::Value BcryptHash(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireBcrypt(env);
  auto job = std::make_unique<BcryptHashJob>();
  job->password = CopyPassword(info, 0);
  job->cost = ArgUint32(info, 1, "cost");
  if (job->cost < sg::bcrypt::kMinCost || job->cost > sg::bcrypt::kMaxCost)
    ThrowRange(env, "The \"cost\" argument must be an integer from 4 to 31");
  if (job->password.size() > sg::bcrypt::kMaxPassword)
    ThrowRange(env, "The \"password\" argument must be at most 72 bytes for bcrypt");
  for (size_t i = 0; i < job->password.size(); ++i)
    if (job->password.data()[i] == 0)
      ThrowRange(env, "The \"password\" argument must not contain a NUL byte for bcrypt");
  return Submit(env, std::move(job));
}

// bcryptVerify(hash, password) -> Promise<boolean>; false at once for a malformed hash, a
// password over 72 bytes or with a NUL (a caller that accepts legacy truncation passes the
// first 72 bytes itself).
Napi::Value BcryptVerify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireBcrypt(env);
  auto job = std::make_unique<BcryptVerifyJob>();
  job->hash = ReadHashString(info, 0, "hash");
  job->password = CopyPassword(info, 1);
  sg::bcrypt::Info parsed;
  bool ok = sg::bcrypt::parse(job->hash.data(), job->hash.size(), parsed) &&
            job->password.size() <= sg::bcrypt::kMaxPassword;
  for (size_t i = 0; ok && i < job->password.size(); ++i) ok = job->password.data()[i] != 0;
  if (!ok) return Resolved(env, Napi::Boolean::New(env, false));
  return Submit(env, std::move(job));
}

// bcryptParse(hash) -> { prefix, cost } | null
Napi::Value BcryptParse(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string hash = ReadHashString(info, 0, "hash");
  sg::bcrypt::Info parsed;
  if (!sg::bcrypt::parse(hash.data(), hash.size(), parsed)) return env.Null();
  Napi::Object out = Napi::Object::New(env);
  out.Set("prefix", std::string("$2") + parsed.minor + "$");
  out.Set("cost", parsed.cost);
  return out;
}

Napi::Object ConfigObject(Napi::Env env, const sg::PoolConfig& c) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("threads", c.threads);
  o.Set("maxQueue", c.max_queue);
  o.Set("memoryBudgetKiB", static_cast<double>(c.memory_budget_kib));
  o.Set("arenaKiB", static_cast<double>(c.arena_kib));
  return o;
}

// hashPoolConfigure({ threads?, maxQueue?, memoryBudgetKiB?, arenaKiB? }) -> the whole config.
// Process-wide: every environment (main thread and workers) shares the pool.
Napi::Value HashPoolConfigure(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) ThrowType(env, "The \"config\" argument must be an object");
  Napi::Object o = info[0].As<Napi::Object>();
  sg::HashPool& pool = sg::HashPool::instance();
  sg::PoolConfig c = pool.stats().config;
  c.threads = OptUint32(env, o, "threads", c.threads, 1, 256);
  c.max_queue = OptUint32(env, o, "maxQueue", c.max_queue, 0, 1u << 20);
  c.memory_budget_kib = OptUint32(env, o, "memoryBudgetKiB",
                                  static_cast<uint32_t>(c.memory_budget_kib), 8, 0xFFFFFFFF);
  c.arena_kib = OptUint32(env, o, "arenaKiB", static_cast<uint32_t>(c.arena_kib), 0, 0xFFFFFFFF);
  pool.configure(c);
  return ConfigObject(env, c);
}

// hashPoolRequest({ threads?, maxQueue?, memoryBudgetKiB?, arenaKiB? }) -> the configuration
// now in force: one password hasher's wishes folded into every other hasher's in the process
// (native/core/hash_pool.hpp, HashPool::request); absent fields ask nothing.
Napi::Value HashPoolRequest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) ThrowType(env, "The \"request\" argument must be an object");
  Napi::Object o = info[0].As<Napi::Object>();
  sg::PoolRequest r;
  r.threads = OptUint32(env, o, "threads", 0, 1, 256);
  r.max_queue = OptUint32(env, o, "maxQueue", 0, 1, 1u << 20);
  r.memory_budget_kib = OptUint32(env, o, "memoryBudgetKiB", 0, 8, 0xFFFFFFFF);
  r.arena_kib = OptUint32(env, o, "arenaKiB", 0, 8, 0xFFFFFFFF);
  return ConfigObject(env, sg::HashPool::instance().request(r));
}

// hashPoolAdmits(memoryKiB) -> 0 when the pool would take a hash of that size now, else 1 (queue
// full) or 2 (memory budget): the policy layer refuses a flood's excess before preparing anything.
Napi::Value HashPoolAdmits(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint64_t kib = ArgUint32(info, 0, "memoryKiB");
  const sg::Admission a = sg::HashPool::instance().would_admit(kib * kKiB);
  return Napi::Number::New(env, a == sg::Admission::accepted     ? 0
                                : a == sg::Admission::queue_full ? 1
                                                                 : 2);
}

// hashPoolStats() -> counts and memory (KiB), for tests and monitoring.
Napi::Value HashPoolStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const sg::PoolStats s = sg::HashPool::instance().stats();
  Napi::Object o = ConfigObject(env, s.config);
  o.Set("threadsAlive", s.threads_alive);
  o.Set("running", s.running);
  o.Set("queued", s.queued);
  o.Set("memoryInUseKiB", static_cast<double>(s.memory_in_use_kib));
  o.Set("arenaKiBHeld", static_cast<double>(s.arena_kib_held));
  return o;
}

// argon2Simd(level?) -> { level, available }. Test and benchmark hook: forces a SIMD build of
// opt.c for the whole process; a level this CPU lacks is a RangeError.
Napi::Value Argon2Simd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() > 0 && !info[0].IsUndefined()) {
    a2::Simd level;
    if (!info[0].IsString() || !a2::simd_from_name(info[0].As<Napi::String>().Utf8Value(), level))
      ThrowType(env, "The \"level\" argument must be 'sse2', 'avx2' or 'avx512f'");
    if (!a2::simd_force(level))
      ThrowRange(env, std::string("this CPU has no ") + a2::simd_name(level));
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("level", a2::simd_name(a2::simd_current()));
  Napi::Array available = Napi::Array::New(env);
  uint32_t i = 0;
  for (a2::Simd s : a2::simd_available()) available.Set(i++, a2::simd_name(s));
  out.Set("available", available);
  return out;
}

}  // namespace

void RegisterHash(Napi::Env env, Napi::Object exports) {
  exports.Set("argon2Hash", Napi::Function::New(env, Argon2Hash, "argon2Hash"));
  exports.Set("argon2Verify", Napi::Function::New(env, Argon2Verify, "argon2Verify"));
  exports.Set("argon2Parse", Napi::Function::New(env, Argon2Parse, "argon2Parse"));
  exports.Set("bcryptHash", Napi::Function::New(env, BcryptHash, "bcryptHash"));
  exports.Set("bcryptVerify", Napi::Function::New(env, BcryptVerify, "bcryptVerify"));
  exports.Set("bcryptParse", Napi::Function::New(env, BcryptParse, "bcryptParse"));
  exports.Set("hashPoolConfigure",
              Napi::Function::New(env, HashPoolConfigure, "hashPoolConfigure"));
  exports.Set("hashPoolStats", Napi::Function::New(env, HashPoolStats, "hashPoolStats"));
  exports.Set("hashPoolRequest", Napi::Function::New(env, HashPoolRequest, "hashPoolRequest"));
  exports.Set("hashPoolAdmits", Napi::Function::New(env, HashPoolAdmits, "hashPoolAdmits"));
  exports.Set("argon2Simd", Napi::Function::New(env, Argon2Simd, "argon2Simd"));
}

}  // namespace sga
