// Delivery of hash results from the process-wide pool (native/core/hash_pool.hpp) to the
// environment (main thread or worker_thread) that asked: one thread-safe function per
// environment, referenced only while it has hashes pending (so they keep the event loop alive
// and nothing else does). When the environment goes away (a worker terminated with hashes
// pending), its link is closed first: results still to come are wiped and dropped, queued jobs
// skip their work, and nothing touches the dead environment.
#pragma once
#include <napi.h>

#include <memory>

#include "hash_pool.hpp"

namespace sga {

struct HashLink;

class HashJob : public sg::PoolJob {
 public:
  HashJob() = default;
  // On the JS thread, with the result: the value to resolve with; throw a Napi::Error to reject.
  virtual Napi::Value settle(Napi::Env env) = 0;
  void deliver(std::unique_ptr<sg::PoolJob> self) noexcept final;

 protected:
  // True when the environment that asked is gone: run() then skips the work.
  bool abandoned() const noexcept;

 private:
  friend Napi::Value Submit(Napi::Env env, std::unique_ptr<HashJob> job);
  friend struct HashLink;
  std::shared_ptr<HashLink> link_;
  napi_deferred deferred_ = nullptr;
};

// Queues the job on the pool and returns its promise; when the pool refuses it (queue or memory
// budget full), a promise already rejected with ERR_HASH_OVERLOADED (503).
Napi::Value Submit(Napi::Env env, std::unique_ptr<HashJob> job);

}  // namespace sga
