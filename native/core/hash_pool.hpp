// The process-wide pool that runs password hashes on its own threads (not Node's libuv pool,
// which file I/O and DNS share), with a bounded queue and admission by memory: a job is refused
// at once, never queued, when the waiting jobs would exceed max_queue or the memory it needs
// would take the pool over its budget.
//
// Memory in use = the arenas the threads keep + hashes running outside an arena (larger than
// arena_kib) + the memory of every job still waiting (except what an idle thread's arena
// already holds for the job it is about to take). Admission keeps it within the budget; a job
// starting in its thread's arena adds only what the arena must grow by.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "argon2_engine.hpp"

namespace sg {

class PoolJob {
 public:
  virtual ~PoolJob() = default;
  // Bytes this job needs while it runs (0 for bcrypt).
  virtual size_t memory_bytes() const noexcept = 0;
  // On a pool thread; the arena is null when the job's memory is over arena_kib.
  virtual void run(argon2::Arena* arena) noexcept = 0;
  // On the pool thread after run and after the pool's accounting is released: hands the job
  // (and its result) to whoever waits for it. Not called when the pool shuts down first.
  virtual void deliver(std::unique_ptr<PoolJob> self) noexcept = 0;
};

struct PoolConfig {
  uint32_t threads;
  uint32_t max_queue;
  uint64_t memory_budget_kib;
  uint64_t arena_kib;  // each thread keeps an arena up to this size
};

struct PoolStats {
  PoolConfig config;
  uint32_t threads_alive;
  uint32_t running;
  uint32_t queued;
  uint64_t memory_in_use_kib;
  uint64_t arena_kib_held;  // part of memory_in_use
};

enum class Admission { accepted, queue_full, over_budget };

// What one password hasher (the policy layer) asks of the pool; 0 means "not asked".
struct PoolRequest {
  uint32_t threads = 0;
  uint32_t max_queue = 0;
  uint64_t memory_budget_kib = 0;
  uint64_t arena_kib = 0;
};

class HashPool {
 public:
  // The process's pool, started lazily (no thread until the first job); stopped at exit.
  static HashPool& instance();

  explicit HashPool(const PoolConfig& config);
  ~HashPool();
  HashPool(const HashPool&) = delete;
  HashPool& operator=(const HashPool&) = delete;

  // On refusal the job is handed back untouched in `job` (so the caller can wipe it).
  Admission submit(std::unique_ptr<PoolJob>& job);
  // What submit would answer now for a job of `bytes` (a cheap early refusal under a flood;
  // submit still decides).
  Admission would_admit(uint64_t bytes);
  // Applies at once to admission; more threads start at once, fewer stop when idle; arenas over
  // a lowered arena_kib are unmapped by their thread.
  void configure(const PoolConfig& config);
  PoolStats stats();
  static PoolConfig defaults();
  // Folds one hasher's request into every request made so far in the process (any
  // worker_thread) and applies the result: the most threads asked, and the smallest memory
  // budget (a ceiling, so the strictest one holds); the queue and the arena only grow, to the
  // longest queue and the largest arena asked (each hasher bounds its own queue in JS). A
  // setting no hasher asked for keeps its current value. Returns the configuration now in force.
  PoolConfig request(const PoolRequest& r);

 private:
  struct Worker {
    std::thread thread;
    argon2::Arena arena;
    uint64_t arena_bytes = 0;    // accounted size of the arena (under mu_)
    uint64_t running_bytes = 0;  // a job running outside the arena (under mu_)
    bool running = false;
    bool idle = false;  // waiting for a job
    bool stop = false;
    bool exited = false;
  };

  void work(Worker* self);
  void start_threads_locked();
  uint64_t in_use_locked() const;
  Admission admission_locked(uint64_t bytes) const;
  uint32_t idle_locked() const;

  std::mutex mu_;
  std::condition_variable cv_;
  PoolConfig config_;
  PoolRequest asked_;      // the fold of every request() (under mu_)
  std::mutex request_mu_;  // serializes request()
  std::deque<std::unique_ptr<PoolJob>> queue_;
  uint64_t queued_bytes_ = 0;
  bool shutting_down_ = false;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace sg
