#include "rate_limit_fns.hpp"

#include <sodium.h>

#include <cmath>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "errors.hpp"
#include "gcra.hpp"
#include "monotonic_clock.hpp"
#include "rate_key.hpp"
#include "rate_registry.hpp"
#include "rate_table.hpp"
#include "state.hpp"

namespace sga {

namespace {

using TableHandle = std::shared_ptr<sg::RateTable>;

// Tags table handles so a foreign External passed as one is a TypeError, not a wild pointer.
constexpr napi_type_tag kRateTableTag = {0x3b0c7e21d94a5f68ULL, 0xa1c4e59f70d2b836ULL};

// Argument readers by status code, for the hot path (take and peek run on every request):
// false when anything is off, and then the checked readers below throw the error that names it.
bool TableFrom(napi_env env, napi_value v, sg::RateTable** out) {
  void* data = nullptr;
  bool tagged = false;
  if (napi_get_value_external(env, v, &data) != napi_ok) return false;
  if (napi_check_object_type_tag(env, v, &kRateTableTag, &tagged) != napi_ok || !tagged) {
    return false;
  }
  *out = static_cast<TableHandle*>(data)->get();
  return true;
}

// The key's UTF-16 code units, hashed: lossless (a lone surrogate stays itself; UTF-8 would turn
// distinct keys into one U+FFFD) and a plain copy out of V8. The copy is wiped: keys are IP
// addresses and e-mails, and only their hash may stay in memory.
bool KeyFrom(napi_env env, napi_value v, uint64_t* out) {
  char16_t stack[256];
  constexpr size_t kStackChars = sizeof stack / sizeof stack[0];
  size_t len = 0;
  if (napi_get_value_string_utf16(env, v, stack, kStackChars, &len) != napi_ok) return false;
  if (len + 1 < kStackChars) {
    *out = sg::rate_key_hash(stack, len * sizeof(char16_t));
    sodium_memzero(stack, len * sizeof(char16_t));
    return true;
  }
  // Possibly cut short: measure and read the whole string.
  sodium_memzero(stack, sizeof stack);
  napi_get_value_string_utf16(env, v, nullptr, 0, &len);
  std::vector<char16_t> heap(len + 1);
  napi_get_value_string_utf16(env, v, heap.data(), heap.size(), &len);
  *out = sg::rate_key_hash(heap.data(), len * sizeof(char16_t));
  sodium_memzero(heap.data(), heap.size() * sizeof(char16_t));
  return true;
}

bool CostFrom(napi_env env, napi_value v, const sg::RateTable& table, int64_t* out) {
  double d = 0;
  if (napi_get_value_double(env, v, &d) != napi_ok) return false;
  if (!(d >= 1 && d <= static_cast<double>(table.params().capacity)) || d != std::floor(d)) {
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

sg::RateTable& TableArg(const Napi::CallbackInfo& info) {
  sg::RateTable* table = nullptr;
  if (!TableFrom(info.Env(), info[0], &table)) {
    ThrowType(info.Env(), "The \"table\" argument must be a handle from rateTable()");
  }
  return *table;
}

uint64_t KeyArg(const Napi::CallbackInfo& info, size_t i) {
  uint64_t key = 0;
  if (!KeyFrom(info.Env(), info[i], &key)) {
    ThrowType(info.Env(), "The \"key\" argument must be a string");
  }
  return key;
}

int64_t CostArg(const Napi::CallbackInfo& info, size_t i, const sg::RateTable& table) {
  int64_t cost = 0;
  if (CostFrom(info.Env(), info[i], table, &cost)) return cost;
  if (!info[i].IsNumber()) ThrowType(info.Env(), "The \"cost\" argument must be a number");
  ThrowRange(info.Env(), "The \"cost\" argument must be an integer from 1 to the capacity (" +
                             std::to_string(table.params().capacity) + ")");
}

// Only mmap failing can get here (the table grows by mapping pages).
[[noreturn]] void ThrowOutOfMemory(Napi::Env env) {
  throw Napi::Error::New(env, "the rate-limit table could not grow: out of memory");
}

// rateTable(name: string | null, capacity, refillPerSecond, maxKeys) -> handle
Napi::Value OpenTable(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bool named = !info[0].IsNull();
  const std::string name = named ? ArgString(info, 0, "name") : std::string();
  for (size_t i = 1; i <= 3; ++i) {
    if (!info[i].IsNumber())
      ThrowType(env, "rateTable: capacity, refillPerSecond and maxKeys must be numbers");
  }
  sg::gcra::Params params{};
  switch (sg::gcra::make_params(info[1].As<Napi::Number>().DoubleValue(),
                                info[2].As<Napi::Number>().DoubleValue(), params)) {
    case sg::gcra::ParamsError::none:
      break;
    case sg::gcra::ParamsError::capacity:
      ThrowRange(env, "The \"capacity\" option must be an integer from 1 to 1e9");
    case sg::gcra::ParamsError::refill:
      ThrowRange(env, "The \"refillPerSecond\" option must be above 0 and at most 1e6");
    case sg::gcra::ParamsError::burst:
      ThrowRange(env,
                 "capacity / refillPerSecond (the time a drained bucket takes to refill) "
                 "must be under 146 years");
  }
  const double max_keys = info[3].As<Napi::Number>().DoubleValue();
  if (!(max_keys >= 1 && max_keys <= static_cast<double>(sg::kRateMaxKeys)) ||
      max_keys != std::floor(max_keys)) {
    ThrowRange(env, "The \"maxKeys\" option must be an integer from 1 to 2^30");
  }
  TableHandle table;
  try {
    if (named) {
      std::string existing;
      table = sg::open_named_rate_table(name, params, static_cast<uint64_t>(max_keys), &existing);
      if (!table) {
        ThrowCoded(env, "ERR_INVALID_OPTION",
                   "a rate limiter named \"" + name + "\" already exists in this process with " +
                       existing +
                       ": limiters of one name share their buckets, so they must have the same "
                       "capacity, refillPerSecond and maxKeys");
      }
    } else {
      table = std::make_shared<sg::RateTable>(params, static_cast<uint64_t>(max_keys));
    }
  } catch (const std::bad_alloc&) {
    ThrowOutOfMemory(env);
  }
  auto handle = Napi::External<TableHandle>::New(env, new TableHandle(std::move(table)),
                                                 [](Napi::Env, TableHandle* t) { delete t; });
  handle.TypeTag(&kRateTableTag);
  return handle;
}

// rateOutput() -> this environment's Float64Array(3), created on the first call. Every copy of
// the JS module on the thread gets the same array, so none reads numbers meant for another.
Napi::Value Output(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonState& state = State(env);
  if (state.rate_out_ref.IsEmpty()) {
    // Backed by its own ArrayBuffer (off the V8 heap): the data pointer never moves.
    auto buffer = Napi::ArrayBuffer::New(env, 3 * sizeof(double));
    auto out = Napi::Float64Array::New(env, 3, buffer, 0);
    state.rate_out_ref = Napi::Persistent(out);
    state.rate_out = out.Data();
  }
  return state.rate_out_ref.Value();
}

// rateTake(table, key, cost) -> allowed; remaining, retryAfterMs and tableFull land in the
// output array. ratePeek: the same answer, changing nothing. Written against the C Node-API:
// results cross as primitives (an object built in C++ measured three times the cost of one
// built in JS), and arguments are read by status code, the checked readers running only to
// throw.
template <bool kPeek>
napi_value TakeOrPeek(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 3;
  napi_value argv[3];
  sg::RateTable* table = nullptr;
  uint64_t key = 0;
  int64_t cost = 0;
  double* out = State(Napi::Env(env)).rate_out;
  if (napi_get_cb_info(env, cbinfo, &argc, argv, nullptr, nullptr) == napi_ok && argc >= 3 &&
      out != nullptr && TableFrom(env, argv[0], &table) && KeyFrom(env, argv[1], &key) &&
      CostFrom(env, argv[2], *table, &cost)) {
    sg::RateAnswer a{};
    try {
      const int64_t now = sg::monotonic_ns();
      a = kPeek ? table->peek(key, cost, now) : table->take(key, cost, now);
    } catch (const std::bad_alloc&) {
      napi_throw_error(env, nullptr, "the rate-limit table could not grow: out of memory");
      return nullptr;
    }
    out[0] = static_cast<double>(a.result.remaining);
    out[1] = static_cast<double>(a.result.retry_after_ms);
    out[2] = a.table_full ? 1 : 0;
    napi_value allowed = nullptr;
    napi_get_boolean(env, a.result.allowed, &allowed);
    return allowed;
  }
  try {
    Napi::CallbackInfo info(env, cbinfo);
    if (out == nullptr) ThrowType(info.Env(), "rateOutput() must be called before a take");
    CostArg(info, 2, TableArg(info));
    KeyArg(info, 1);
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  }
  return nullptr;
}

// rateRefund(table, key, cost): gives tokens back, never beyond a full bucket.
Napi::Value Refund(const Napi::CallbackInfo& info) {
  sg::RateTable& table = TableArg(info);
  const uint64_t key = KeyArg(info, 1);
  const int64_t cost = CostArg(info, 2, table);
  table.refund(key, cost, sg::monotonic_ns());
  return info.Env().Undefined();
}

// rateReset(table, key): forgets the key's bucket (full again).
Napi::Value Reset(const Napi::CallbackInfo& info) {
  sg::RateTable& table = TableArg(info);
  table.reset(KeyArg(info, 1));
  return info.Env().Undefined();
}

// rateSize(table) -> buckets held.
Napi::Value Size(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(TableArg(info).size()));
}

Napi::Value RawFunction(Napi::Env env, napi_callback cb, const char* name) {
  napi_value fn = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn),
                       Napi::Value());
  return Napi::Value(env, fn);
}

}  // namespace

void RegisterRateLimit(Napi::Env env, Napi::Object exports) {
  exports.Set("rateTable", Napi::Function::New(env, OpenTable, "rateTable"));
  exports.Set("rateOutput", Napi::Function::New(env, Output, "rateOutput"));
  exports.Set("rateTake", RawFunction(env, TakeOrPeek<false>, "rateTake"));
  exports.Set("ratePeek", RawFunction(env, TakeOrPeek<true>, "ratePeek"));
  exports.Set("rateRefund", Napi::Function::New(env, Refund, "rateRefund"));
  exports.Set("rateReset", Napi::Function::New(env, Reset, "rateReset"));
  exports.Set("rateSize", Napi::Function::New(env, Size, "rateSize"));
}

}  // namespace sga
