// The process-wide pool that runs password hashes on its own threads (not Node's libuv pool,
// which file I/O and DNS share), with a bounded queue and admission by memory: a job is refused
// at once, never queued, when the waiting jobs would exceed max_queue or the memory it needs
// would take the pool over its budget.
//
// Memory in use = the arenas the threads keep + hashes running outside an arena (larger than
// arena_kib) + the memory of every job still waiting. A job is handed straight to an idle
// thread (one not running a job, started or not) when there is one: the one whose arena it adds
// least to, so its cost is known exactly, what that arena must grow by or its whole memory
// outside the arena. A job that waits counts in full, since any thread may take it; taking it
// never adds more. When a job handed to an idle thread does not fit, idle threads give their
// arenas back (largest first) until it does, and the job starts once they are unmapped. So the
// memory in use never goes over the budget, and an idle pool takes any hash the budget holds.
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
  uint32_t running;  // jobs handed to a thread (started, or about to)
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
  // Not folded: this request is refused unless the budget in force after it holds a hash of
  // this size (the largest stored hash the asking hasher accepts).
  uint64_t required_kib = 0;
};

// Why request() applied nothing. Every hasher's hashes must fit the budget in force, whatever
// the order the hashers were made in (any worker_thread).
enum class RequestRefusal {
  none,
  budget_below_arena,    // the budget would be below the largest m some hasher hashes with
  budget_below_required  // the budget would be below this request's required_kib
};

struct RequestResult {
  PoolConfig config;  // in force (unchanged when refused)
  RequestRefusal refusal = RequestRefusal::none;
  uint64_t budget_kib = 0;  // the budget the request would have left in force
  uint64_t arena_kib = 0;   // the largest m any hasher (this one included) hashes with
};

class HashPool {
 public:
  // The process's pool, started lazily (no thread until the first job). Never destroyed: at
  // exit it is only shut down (see shut_down), so process.exit() does not wait for a hash.
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
  // Applies at once to admission; more threads start at once, fewer stop when idle. Idle
  // arenas over a lowered arena_kib are given back at once, and so are idle arenas (largest
  // first) while the pool holds more than a lowered budget; busy threads do so after their job.
  void configure(const PoolConfig& config);
  PoolStats stats();
  static PoolConfig defaults();
  // Stops the pool without waiting for the hashes running (neither opt.c nor crypt_rn can be
  // cancelled): waiting jobs are dropped (wiped), nothing more starts or is delivered, and a
  // delivery under way finishes first. The threads are left to the process's end. Later jobs
  // are refused.
  void shut_down() noexcept;
  // Folds one hasher's request into every request made so far in the process (any
  // worker_thread) and applies the result: the most threads asked, and the smallest memory
  // budget (a ceiling, so the strictest one holds); the queue and the arena only grow, to the
  // longest queue and the largest arena asked (each hasher bounds its own queue in JS). A
  // setting no hasher asked for keeps its current value. Refused, applying nothing, when the
  // budget that would result is below the largest arena asked (some hasher, earlier or this
  // one, could never hash) or below r.required_kib. Returns the configuration now in force.
  RequestResult request(const PoolRequest& r);

 private:
  struct Worker {
    std::thread thread;
    std::condition_variable wake;  // a job handed over, an arena to give back, or stop
    argon2::Arena arena;           // touched by this thread only
    // Under mu_:
    std::unique_ptr<PoolJob> next;  // handed to this thread, not started yet
    bool busy = false;              // a job handed over or running; the counts below include it
    bool in_arena = false;          // that job runs in the arena (decided when handed over)
    uint64_t arena_bytes = 0;       // accounted size of the arena
    uint64_t running_bytes = 0;     // that job's memory when it runs outside the arena
    bool unmap = false;             // give the arena back first (no longer counted)
    bool await_unmaps = false;      // its job was admitted on other threads' arenas given back
    bool stop = false;
    bool exited = false;
  };

  // Where a job would run: the idle thread, what it adds to the memory in use, how it runs.
  struct Placement {
    Worker* worker = nullptr;
    uint64_t cost = 0;
    bool in_arena = false;
    // Idle threads whose arenas are given back to make room (the job's own thread among them
    // only when the job runs outside its arena), and their bytes.
    std::vector<Worker*> shed;
    uint64_t freed = 0;
  };

  void work(Worker* self);
  void start_threads_locked();
  uint64_t in_use_locked() const;
  Placement place_locked(uint64_t bytes) const;
  // The placement that fits the budget by giving back the fewest bytes of idle arenas (largest
  // first); no worker when even giving back every idle arena would not make room.
  Placement place_shedding_locked(uint64_t bytes, uint64_t in_use, uint64_t budget) const;
  // What submit would answer now for a job of `bytes`; when accepted, `where` names the idle
  // thread that takes it (none: it waits).
  Admission admission_locked(uint64_t bytes, Placement& where) const;
  void hand_over_locked(const Placement& p, std::unique_ptr<PoolJob> job);
  void dispatch_locked();
  void shed_locked(Worker& w);
  void shed_over_budget_locked();

  std::mutex mu_;
  std::condition_variable delivered_;  // shut_down waits here for deliveries under way
  PoolConfig config_;
  PoolRequest asked_;      // the fold of every request() (under mu_)
  std::mutex request_mu_;  // serializes request()
  std::deque<std::unique_ptr<PoolJob>> queue_;
  uint64_t queued_bytes_ = 0;
  uint32_t delivering_ = 0;
  uint32_t unmapping_ = 0;            // arenas given back whose threads have not unmapped yet
  std::condition_variable unmapped_;  // unmapping_ fell to 0, or shut_down
  bool shutting_down_ = false;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace sg
