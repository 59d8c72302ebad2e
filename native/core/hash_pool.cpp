#include "hash_pool.hpp"

#include <algorithm>

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
  // A function-local static: destroyed at exit, which stops and joins the threads.
  static HashPool pool(defaults());
  return pool;
}

HashPool::HashPool(const PoolConfig& config) : config_(config) {}

HashPool::~HashPool() {
  std::deque<std::unique_ptr<PoolJob>> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    shutting_down_ = true;
    dropped.swap(queue_);  // never run; their destructors wipe their inputs
    queued_bytes_ = 0;
    for (auto& w : workers_) w->stop = true;
  }
  cv_.notify_all();
  // A running hash finishes first (milliseconds); its result is dropped, not delivered.
  for (auto& w : workers_)
    if (w->thread.joinable()) w->thread.join();
}

uint64_t HashPool::in_use_locked() const {
  uint64_t total = queued_bytes_;
  std::vector<uint64_t> idle_arenas;
  for (const auto& w : workers_) {
    total += w->arena_bytes + w->running_bytes;
    if (w->idle && !w->stop) idle_arenas.push_back(w->arena_bytes);
  }
  // The first waiting jobs are about to start on the idle threads: one that fits in arena_kib
  // costs only what its thread's arena must grow by (largest arenas matched first), so the
  // count does not depend on whether a thread has woken up yet.
  std::sort(idle_arenas.rbegin(), idle_arenas.rend());
  const uint64_t limit = config_.arena_kib * kKiB;
  for (size_t i = 0; i < idle_arenas.size() && i < queue_.size(); ++i) {
    const uint64_t bytes = queue_[i]->memory_bytes();
    if (bytes > 0 && bytes <= limit) total -= std::min(bytes, idle_arenas[i]);
  }
  return total;
}

// Idle threads that will take a job (not those told to stop): a job for one of them does not
// wait, so it does not count against max_queue.
uint32_t HashPool::idle_locked() const {
  uint32_t n = 0;
  for (const auto& w : workers_) n += w->idle && !w->stop;
  return n;
}

void HashPool::start_threads_locked() {
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

Admission HashPool::admission_locked(uint64_t bytes) const {
  if (queue_.size() >= static_cast<uint64_t>(idle_locked()) + config_.max_queue)
    return Admission::queue_full;
  if (in_use_locked() + bytes > config_.memory_budget_kib * kKiB) return Admission::over_budget;
  return Admission::accepted;
}

Admission HashPool::would_admit(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  return admission_locked(bytes);
}

Admission HashPool::submit(std::unique_ptr<PoolJob>& job) {
  const uint64_t bytes = job->memory_bytes();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (workers_.empty()) start_threads_locked();
    const Admission a = admission_locked(bytes);
    if (a != Admission::accepted) return a;
    queued_bytes_ += bytes;
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return Admission::accepted;
}

void HashPool::configure(const PoolConfig& config) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    config_ = config;
    uint32_t keep = 0;
    for (auto& w : workers_) {
      if (w->stop) continue;
      if (keep < config.threads) {
        ++keep;
      } else {
        w->stop = true;
      }
    }
    if (!workers_.empty()) start_threads_locked();
  }
  cv_.notify_all();
}

PoolConfig HashPool::request(const PoolRequest& r) {
  // Requests apply one at a time, so the last configure() is always the fold of all of them.
  std::lock_guard<std::mutex> serial(request_mu_);
  PoolRequest a;
  PoolConfig c;
  {
    std::lock_guard<std::mutex> lock(mu_);
    asked_.threads = std::max(asked_.threads, r.threads);
    asked_.max_queue = std::max(asked_.max_queue, r.max_queue);
    asked_.arena_kib = std::max(asked_.arena_kib, r.arena_kib);
    if (r.memory_budget_kib != 0 &&
        (asked_.memory_budget_kib == 0 || r.memory_budget_kib < asked_.memory_budget_kib))
      asked_.memory_budget_kib = r.memory_budget_kib;
    a = asked_;
    c = config_;
  }
  if (a.threads != 0) c.threads = a.threads;
  // Each hasher bounds its own calls; the pool's queue only grows to hold the longest bound.
  c.max_queue = std::max(c.max_queue, a.max_queue);
  c.arena_kib = std::max(c.arena_kib, a.arena_kib);  // an arena only grows to what a hash uses
  if (a.memory_budget_kib != 0) c.memory_budget_kib = a.memory_budget_kib;
  configure(c);
  return c;
}

PoolStats HashPool::stats() {
  std::lock_guard<std::mutex> lock(mu_);
  PoolStats s{};
  s.config = config_;
  for (const auto& w : workers_) {
    if (!w->exited && !w->stop) ++s.threads_alive;
    if (w->running) ++s.running;
    s.arena_kib_held += w->arena_bytes / kKiB;
  }
  s.queued = static_cast<uint32_t>(queue_.size());
  s.memory_in_use_kib = (in_use_locked() + kKiB - 1) / kKiB;
  return s;
}

void HashPool::work(Worker* self) {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    const uint64_t arena_limit = config_.arena_kib * kKiB;
    if (self->arena_bytes > arena_limit || self->stop) {
      // A lowered arena_kib, or this thread is leaving: give the arena back.
      self->arena_bytes = 0;
      lock.unlock();
      self->arena.release();
      lock.lock();
    }
    if (self->stop || shutting_down_) break;
    if (queue_.empty()) {
      self->idle = true;
      cv_.wait(lock, [&] { return !queue_.empty() || self->stop || shutting_down_; });
      self->idle = false;
      continue;
    }
    std::unique_ptr<PoolJob> job = std::move(queue_.front());
    queue_.pop_front();
    const uint64_t bytes = job->memory_bytes();
    queued_bytes_ -= bytes;
    const bool in_arena = bytes > 0 && bytes <= config_.arena_kib * kKiB;
    if (in_arena) {
      self->arena_bytes = std::max(self->arena_bytes, bytes);
    } else {
      self->running_bytes = bytes;
    }
    self->running = true;
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
    self->running = false;
    self->running_bytes = 0;
    const bool deliver = !shutting_down_;
    lock.unlock();
    // Outside the lock: delivery may block briefly on the receiving environment's queue.
    if (deliver) {
      PoolJob* raw = job.get();
      raw->deliver(std::move(job));
    } else {
      job.reset();
    }
    lock.lock();
  }
  self->exited = true;
}

}  // namespace sg
