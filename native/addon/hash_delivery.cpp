#include "hash_delivery.hpp"

#include <atomic>
#include <mutex>

#include "errors.hpp"
#include "state.hpp"

namespace sga {

struct HashLink {
  std::mutex mu;  // held while a pool thread calls into tsfn, and while closing
  std::atomic<bool> alive{true};
  napi_threadsafe_function tsfn = nullptr;
  uint32_t pending = 0;  // JS thread only

  // On the JS thread: resolves or rejects the job's promise.
  static void CallJs(napi_env env, napi_value, void*, void* data) {
    std::unique_ptr<HashJob> job(static_cast<HashJob*>(data));
    if (env == nullptr) return;  // the function is being torn down: just wipe and free the job
    HashLink& link = *job->link_;
    if (--link.pending == 0) napi_unref_threadsafe_function(env, link.tsfn);
    Napi::Env e(env);
    Napi::HandleScope scope(e);
    try {
      Napi::Value value = job->settle(e);
      napi_resolve_deferred(env, job->deferred_, value);
    } catch (const Napi::Error& err) {
      napi_reject_deferred(env, job->deferred_, err.Value());
    }
  }

  // Environment cleanup hook (registered after the thread-safe function, so it runs before
  // Node closes it): from now on no pool thread calls into this environment.
  static void Close(void* arg) {
    auto* holder = static_cast<std::shared_ptr<HashLink>*>(arg);
    {
      std::lock_guard<std::mutex> lock((*holder)->mu);
      (*holder)->alive.store(false);
    }
    delete holder;
  }
};

namespace {

HashLink& LinkFor(Napi::Env env) {
  AddonState& state = State(env);
  if (state.hash_link) return *state.hash_link;
  auto link = std::make_shared<HashLink>();
  napi_value name;
  napi_create_string_utf8(env, "start-guard:hash", NAPI_AUTO_LENGTH, &name);
  napi_status st = napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, nullptr,
                                                   nullptr, nullptr, HashLink::CallJs, &link->tsfn);
  if (st != napi_ok) ThrowCoded(env, "ERR_NATIVE_INIT", "could not create the hash delivery");
  napi_unref_threadsafe_function(env, link->tsfn);
  napi_add_env_cleanup_hook(env, HashLink::Close, new std::shared_ptr<HashLink>(link));
  state.hash_link = link;
  return *link;
}

}  // namespace

bool HashJob::abandoned() const noexcept { return !link_->alive.load(std::memory_order_relaxed); }

void HashJob::deliver(std::unique_ptr<sg::PoolJob> self) noexcept {
  std::shared_ptr<HashLink> link = link_;  // the job may be freed on the JS thread at once
  std::lock_guard<std::mutex> lock(link->mu);
  if (!link->alive.load()) return;  // self dies here: its destructor wipes the inputs
  if (napi_call_threadsafe_function(link->tsfn, self.get(), napi_tsfn_nonblocking) == napi_ok)
    self.release();  // CallJs owns it now
}

Napi::Value Submit(Napi::Env env, std::unique_ptr<HashJob> job) {
  HashLink& link = LinkFor(env);
  napi_value promise;
  if (napi_create_promise(env, &job->deferred_, &promise) != napi_ok)
    ThrowCoded(env, "ERR_NATIVE_INIT", "could not create a promise");
  job->link_ = State(env).hash_link;
  napi_deferred deferred = job->deferred_;
  std::unique_ptr<sg::PoolJob> pooled(std::move(job));
  const sg::Admission admission = sg::HashPool::instance().submit(pooled);
  if (admission != sg::Admission::accepted) {
    pooled.reset();  // wipes the copied inputs
    const char* why = admission == sg::Admission::queue_full
                          ? "the password hashing queue is full"
                          : "the password hashing memory budget is exhausted";
    napi_reject_deferred(env, deferred, CodedError(env, "ERR_HASH_OVERLOADED", why).Value());
    return Napi::Value(env, promise);
  }
  if (link.pending++ == 0) napi_ref_threadsafe_function(env, link.tsfn);
  return Napi::Value(env, promise);
}

}  // namespace sga
