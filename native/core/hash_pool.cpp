#include "hash_pool.hpp"

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <cstdlib>

namespace sg {

namespace {
constexpr uint64_t kKiB = 1024;
}

PoolConfig HashPool::defaults() {
  const unsigned cores = std::thread::hardware_concurrency();
  // OWASP's Argon2id m = 19 MiB; 512 MiB lets about two dozen such hashes wait or run.
  return PoolConfig{cores == 0 ? 2u : cores, 256, 512 * 1024, 19456};
}

HashPool& HashPool::instance() {
  // Deliberately never destroyed: a static's destructor joins the threads at exit, and a hash
  // cannot be cancelled, so process.exit() waited out the longest one running (seconds; days for
  // a $2b$31$). At exit the pool is only shut down; the OS takes the threads and the memory.
  static HashPool* const pool = [] {
    auto* p = new HashPool(defaults());
    std::atexit([] { instance().shut_down(); });
    return p;
  }();
  return *pool;
}

HashPool::HashPool(const PoolConfig& config) : config_(config) {}

HashPool::~HashPool() {
  shut_down();
  // A running hash finishes first; its result is dropped, not delivered.
  for (auto& w : workers_)
    if (w->thread.joinable()) w->thread.join();
}

void HashPool::shut_down() noexcept {
  std::deque<std::unique_ptr<PoolJob>> dropped;  // never run; their destructors wipe inputs
  std::vector<std::unique_ptr<PoolJob>> handed;
  std::unique_lock<std::mutex> lock(mu_);
  shutting_down_ = true;
  dropped.swap(queue_);
  queued_bytes_ = 0;
  for (auto& w : workers_) {
    w->stop = true;
    if (w->next) handed.push_back(std::move(w->next));
    w->wake.notify_one();
  }
  unmapped_.notify_all();
  // A result being handed to its environment is a non-blocking call: let it finish, so nothing
  // touches Node once this returns (at exit, Node is being torn down).
  delivered_.wait(lock, [&] { return delivering_ == 0; });
  lock.unlock();
}

uint64_t HashPool::in_use_locked() const {
  uint64_t total = queued_bytes_;
  for (const auto& w : workers_) total += w->arena_bytes + w->running_bytes;
  return total;
}

HashPool::Placement HashPool::place_locked(uint64_t bytes) const {
  // The idle thread whose arena the job adds least to; on a tie the smallest arena, so larger
  // ones stay free for larger jobs. Threads told to stop take nothing.
  Placement best;
  const bool in_arena = bytes > 0 && bytes <= config_.arena_kib * kKiB;
  for (const auto& w : workers_) {
    if (w->busy || w->stop) continue;
    const uint64_t cost = !in_arena ? bytes : bytes > w->arena_bytes ? bytes - w->arena_bytes : 0;
    if (best.worker == nullptr || cost < best.cost ||
        (cost == best.cost && w->arena_bytes < best.worker->arena_bytes)) {
      best = Placement{w.get(), cost, in_arena, {}, 0};
    }
  }
  return best;
}

HashPool::Placement HashPool::place_shedding_locked(uint64_t bytes, uint64_t in_use,
                                                    uint64_t budget) const {
  // Each idle thread in turn as the one that runs the job: the idle arenas it would not use go,
  // largest first, until the job fits. Kept: the plan that gives back the fewest bytes (arenas
  // are warm memory), then the cheapest, then the smallest arena, as place_locked.
  const bool in_arena = bytes > 0 && bytes <= config_.arena_kib * kKiB;
  Placement best;
  for (const auto& target : workers_) {
    if (target->busy || target->stop) continue;
    Placement p;
    p.worker = target.get();
    p.in_arena = in_arena;
    p.cost = !in_arena ? bytes : bytes > target->arena_bytes ? bytes - target->arena_bytes : 0;
    const Worker* keep = in_arena ? target.get() : nullptr;  // the arena the job runs in stays
    while (in_use + p.cost > budget + p.freed) {
      Worker* largest = nullptr;
      for (const auto& w : workers_) {
        if (w.get() == keep || w->busy || w->stop || w->arena_bytes == 0) continue;
        if (std::find(p.shed.begin(), p.shed.end(), w.get()) != p.shed.end()) continue;
        if (largest == nullptr || w->arena_bytes > largest->arena_bytes) largest = w.get();
      }
      if (largest == nullptr) break;
      p.shed.push_back(largest);
      p.freed += largest->arena_bytes;
    }
    if (in_use + p.cost > budget + p.freed) continue;
    if (best.worker == nullptr || p.freed < best.freed ||
        (p.freed == best.freed &&
         (p.cost < best.cost ||
          (p.cost == best.cost && p.worker->arena_bytes < best.worker->arena_bytes))))
      best = std::move(p);
  }
  // Outside an arena the job costs the same on any idle thread: give it to one that gives its
  // own arena back, which unmaps it before starting (no wait on another thread).
  if (!in_arena && !best.shed.empty() &&
      std::find(best.shed.begin(), best.shed.end(), best.worker) == best.shed.end())
    best.worker = best.shed.front();
  return best;
}

void HashPool::hand_over_locked(const Placement& p, std::unique_ptr<PoolJob> job) {
  Worker& w = *p.worker;
  const uint64_t bytes = job->memory_bytes();
  for (Worker* s : p.shed) {
    shed_locked(*s);
    if (s != &w) w.await_unmaps = true;
  }
  // Memory the accounting already counts as free may still be mapped (an arena given back by this
  // or an earlier placement whose thread is still delivering, a lowered budget, a thread over
  // budget after its job): a job that maps memory starts only once every such arena is unmapped.
  if (p.cost > 0 && unmapping_ > 0) w.await_unmaps = true;
  w.busy = true;
  w.in_arena = p.in_arena;
  if (p.in_arena) {
    w.arena_bytes = std::max(w.arena_bytes, bytes);
  } else {
    w.running_bytes = bytes;
  }
  w.next = std::move(job);
  w.wake.notify_one();
}

// Waiting jobs go to idle threads in order. Each was counted in full while it waited, and on a
// thread it costs at most that, so no budget check is needed here.
void HashPool::dispatch_locked() {
  while (!queue_.empty()) {
    const uint64_t bytes = queue_.front()->memory_bytes();
    const Placement p = place_locked(bytes);
    if (p.worker == nullptr) return;
    std::unique_ptr<PoolJob> job = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= bytes;
    hand_over_locked(p, std::move(job));
  }
}

// The arena stops counting now; its thread unmaps it before doing anything else.
void HashPool::shed_locked(Worker& w) {
  if (w.arena_bytes == 0 && !w.unmap) return;
  w.arena_bytes = 0;
  if (!w.unmap) ++unmapping_;
  w.unmap = true;
  w.wake.notify_one();
}

// After a lowered budget: idle arenas go, largest first, until the pool fits it again.
void HashPool::shed_over_budget_locked() {
  const uint64_t budget = config_.memory_budget_kib * kKiB;
  while (in_use_locked() > budget) {
    Worker* largest = nullptr;
    for (auto& w : workers_)
      if (!w->busy && w->arena_bytes > 0 && (!largest || w->arena_bytes > largest->arena_bytes))
        largest = w.get();
    if (largest == nullptr) return;  // busy threads give theirs back after their job
    shed_locked(*largest);
  }
}

void HashPool::start_threads_locked() {
  if (shutting_down_) return;
  // Join the threads that stopped after an earlier shrink, then start up to config_.threads.
  uint32_t alive = 0;
  for (auto it = workers_.begin(); it != workers_.end();) {
    Worker& w = **it;
    if (w.exited) {
      if (w.thread.joinable()) w.thread.join();  // it has left work(): returns at once
      it = workers_.erase(it);
      continue;
    }
    if (!w.stop) ++alive;
    ++it;
  }
  for (; alive < config_.threads; ++alive) {
    workers_.push_back(std::make_unique<Worker>());
    Worker* w = workers_.back().get();
    w->thread = std::thread([this, w] { work(w); });
  }
}

Admission HashPool::admission_locked(uint64_t bytes, Placement& where) const {
  where = Placement{};
  const uint64_t budget = config_.memory_budget_kib * kKiB;
  const uint64_t in_use = in_use_locked();
  // No thread started yet (submit starts them first): a fresh thread, without an arena.
  if (workers_.empty()) return bytes > budget ? Admission::over_budget : Admission::accepted;
  // An idle thread (one not running a job, started or not) takes the job at once: it does not
  // wait, so max_queue does not apply. Jobs already waiting keep their turn.
  if (queue_.empty()) {
    Placement p = place_locked(bytes);
    if (p.worker != nullptr) {
      // Not in the memory left: idle arenas the job would not use are freeable, every one of
      // them (an idle pool must take any hash its budget holds, or a stored hash is refused
      // for as long as the threads keep their arenas).
      if (in_use + p.cost > budget) p = place_shedding_locked(bytes, in_use, budget);
      if (p.worker == nullptr) return Admission::over_budget;
      where = std::move(p);
      return Admission::accepted;
    }
  }
  if (queue_.size() >= config_.max_queue) return Admission::queue_full;
  if (in_use + bytes > budget) return Admission::over_budget;
  return Admission::accepted;  // it waits
}

Admission HashPool::submit(std::unique_ptr<PoolJob>& job) {
  const uint64_t bytes = job->memory_bytes();
  std::lock_guard<std::mutex> lock(mu_);
  if (shutting_down_) return Admission::queue_full;
  if (workers_.empty()) start_threads_locked();
  Placement where;
  const Admission a = admission_locked(bytes, where);
  if (a != Admission::accepted) return a;
  if (where.worker != nullptr) {
    hand_over_locked(where, std::move(job));
  } else {
    queued_bytes_ += bytes;
    queue_.push_back(std::move(job));
  }
  return Admission::accepted;
}

Admission HashPool::would_admit(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutting_down_) return Admission::queue_full;
  Placement where;
  return admission_locked(bytes, where);
}

void HashPool::configure(const PoolConfig& config) {
  std::lock_guard<std::mutex> lock(mu_);
  config_ = config;
  // Fewer threads: idle ones stop first; a busy one finishes its job, then stops.
  uint32_t alive = 0;
  for (const auto& w : workers_) alive += !w->stop;
  for (const bool busy : {false, true}) {
    for (auto& w : workers_) {
      if (alive <= config.threads) break;
      if (w->stop || w->busy != busy) continue;
      w->stop = true;
      --alive;
      if (!busy) shed_locked(*w);
      w->wake.notify_one();
    }
  }
  if (!workers_.empty()) start_threads_locked();
  const uint64_t arena_limit = config.arena_kib * kKiB;
  for (auto& w : workers_)
    if (!w->busy && w->arena_bytes > arena_limit) shed_locked(*w);
  shed_over_budget_locked();
  dispatch_locked();  // new threads take waiting jobs
}

RequestResult HashPool::request(const PoolRequest& r) {
  // Requests apply one at a time, so the last configure() is always the fold of all of them.
  std::lock_guard<std::mutex> serial(request_mu_);
  PoolRequest a;
  PoolConfig c;
  {
    std::lock_guard<std::mutex> lock(mu_);
    a = asked_;
    c = config_;
  }
  a.threads = std::max(a.threads, r.threads);
  a.max_queue = std::max(a.max_queue, r.max_queue);
  a.arena_kib = std::max(a.arena_kib, r.arena_kib);
  if (r.memory_budget_kib != 0 &&
      (a.memory_budget_kib == 0 || r.memory_budget_kib < a.memory_budget_kib))
    a.memory_budget_kib = r.memory_budget_kib;
  RequestResult out;
  out.budget_kib = a.memory_budget_kib != 0 ? a.memory_budget_kib : c.memory_budget_kib;
  out.arena_kib = a.arena_kib;
  // A budget under some hasher's own m would refuse its every hash (and its dummy verify) for
  // the life of the process, whichever hasher was made first: refuse the request instead.
  if (out.budget_kib < a.arena_kib)
    out.refusal = RequestRefusal::budget_below_arena;
  else if (out.budget_kib < r.required_kib)
    out.refusal = RequestRefusal::budget_below_required;
  if (out.refusal != RequestRefusal::none) {
    out.config = c;
    return out;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    asked_ = a;
  }
  if (a.threads != 0) c.threads = a.threads;
  // Each hasher bounds its own calls; the pool's queue only grows to hold the longest bound.
  c.max_queue = std::max(c.max_queue, a.max_queue);
  c.arena_kib = std::max(c.arena_kib, a.arena_kib);  // an arena only grows to what a hash uses
  if (a.memory_budget_kib != 0) c.memory_budget_kib = a.memory_budget_kib;
  configure(c);
  out.config = c;
  return out;
}

PoolStats HashPool::stats() {
  std::lock_guard<std::mutex> lock(mu_);
  PoolStats s{};
  s.config = config_;
  for (const auto& w : workers_) {
    if (!w->exited && !w->stop) ++s.threads_alive;
    if (w->busy) ++s.running;
    s.arena_kib_held += w->arena_bytes / kKiB;
  }
  s.queued = static_cast<uint32_t>(queue_.size());
  s.memory_in_use_kib = (in_use_locked() + kKiB - 1) / kKiB;
  return s;
}

namespace {
// Nice 19 unless START_GUARD_POOL_NICE says otherwise (0 to 19; 0 keeps the caller's priority):
// a machine whose other work runs at normal priority all the time would leave nice-19 hashes
// little CPU. Read once; anything else than a number in range is ignored.
int pool_nice() noexcept {
  static const int nice = [] {
    const char* v = std::getenv("START_GUARD_POOL_NICE");
    if (v == nullptr || *v == '\0') return 19;
    char* end = nullptr;
    const long n = std::strtol(v, &end, 10);
    return (*end == '\0' && n >= 0 && n <= 19) ? static_cast<int>(n) : 19;
  }();
  return nice;
}
}  // namespace

void HashPool::work(Worker* self) {
#ifdef __linux__
  // Hashing is background work: below the event loop and libuv's threads, so a saturated pool
  // delays a request's other work (timers, file reads) as little as the scheduler allows. Per
  // thread on Linux; best effort (a failure leaves the default priority).
  if (const int nice = pool_nice(); nice > 0)
    (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice);
#endif
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (self->unmap) {
      self->unmap = false;
      lock.unlock();
      self->arena.release();
      lock.lock();
      if (--unmapping_ == 0) unmapped_.notify_all();
      continue;
    }
    if (shutting_down_) break;
    if (!self->next) {
      if (self->stop) break;
      self->wake.wait(lock,
                      [&] { return self->next || self->unmap || self->stop || shutting_down_; });
      continue;
    }
    if (self->await_unmaps) {
      // Admitted on the memory of other threads' arenas: start once it is really given back.
      self->await_unmaps = false;
      unmapped_.wait(lock, [&] { return unmapping_ == 0 || shutting_down_; });
      continue;  // shut_down may have taken the job meanwhile
    }
    std::unique_ptr<PoolJob> job = std::move(self->next);
    const uint64_t bytes = job->memory_bytes();
    const bool in_arena = self->in_arena;
    lock.unlock();

    argon2::Arena* arena = nullptr;
    if (in_arena) {
      if (self->arena.reserve(bytes)) {
        arena = &self->arena;
      } else {
        lock.lock();
        self->arena_bytes = 0;  // the mapping failed; the job maps its own memory (or fails)
        self->running_bytes = bytes;
        lock.unlock();
      }
    }
    job->run(arena);

    lock.lock();
    self->busy = false;
    self->running_bytes = 0;
    // An arena over a lowered arena_kib, or kept by a thread that stops, goes back; then this
    // thread takes the next waiting job, if any; an arena the pool has no room for goes too.
    if (self->arena_bytes > config_.arena_kib * kKiB || self->stop) shed_locked(*self);
    dispatch_locked();
    if (!self->busy && in_use_locked() > config_.memory_budget_kib * kKiB) shed_locked(*self);
    const bool deliver = !shutting_down_;
    if (deliver) ++delivering_;
    lock.unlock();
    // Outside the lock: delivery may block briefly on the receiving environment's queue. The
    // thread is already idle, so the caller's next hash can be handed to it meanwhile.
    if (deliver) {
      PoolJob* raw = job.get();
      raw->deliver(std::move(job));
    } else {
      job.reset();
    }
    lock.lock();
    if (deliver && --delivering_ == 0) delivered_.notify_all();
  }
  // The arena goes with the thread (no longer counted: a stop sheds it, shut_down ends all).
  self->arena_bytes = 0;
  lock.unlock();
  self->arena.release();
  lock.lock();
  self->exited = true;
}

}  // namespace sg
