// The hash pool: jobs run off the caller's thread and are delivered once; the queue bound and
// the memory budget refuse at once; threads grow and shrink; arenas are kept, counted and given
// back; shutdown drops what has not run.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "hash_pool.hpp"

namespace {

using namespace std::chrono_literals;

struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  void release() {
    {
      std::lock_guard<std::mutex> l(mu);
      open = true;
    }
    cv.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return open; });
  }
};

struct Counters {
  std::atomic<int> ran{0}, delivered{0}, destroyed{0}, with_arena{0};
};

class TestJob : public sg::PoolJob {
 public:
  TestJob(Counters& c, size_t bytes, Gate* gate = nullptr) : c_(c), bytes_(bytes), gate_(gate) {}
  ~TestJob() override { ++c_.destroyed; }
  size_t memory_bytes() const noexcept override { return bytes_; }
  void run(sg::argon2::Arena* arena) noexcept override {
    if (gate_ != nullptr) gate_->wait();
    if (arena != nullptr && arena->capacity() >= bytes_) ++c_.with_arena;
    ++c_.ran;
  }
  void deliver(std::unique_ptr<sg::PoolJob>) noexcept override { ++c_.delivered; }

 private:
  Counters& c_;
  size_t bytes_;
  Gate* gate_;
};

sg::Admission submit(sg::HashPool& pool, Counters& c, size_t bytes, Gate* gate = nullptr) {
  std::unique_ptr<sg::PoolJob> job = std::make_unique<TestJob>(c, bytes, gate);
  const sg::Admission a = pool.submit(job);
  REQUIRE((a == sg::Admission::accepted) == (job == nullptr));
  return a;
}

template <typename F>
void eventually(F&& done) {
  for (int i = 0; i < 2000 && !done(); ++i) std::this_thread::sleep_for(5ms);
  REQUIRE(done());
}

constexpr uint64_t kKiB = 1024;

}  // namespace

TEST_CASE("pool: jobs run on pool threads and are each delivered once", "[pool]") {
  Counters c;
  {
    sg::HashPool pool({2, 100, 64 * 1024, 64});
    for (int i = 0; i < 50; ++i) REQUIRE(submit(pool, c, 0) == sg::Admission::accepted);
    eventually([&] { return c.delivered == 50; });
    const sg::PoolStats s = pool.stats();
    REQUIRE(s.threads_alive == 2);
    REQUIRE(s.queued == 0);
    REQUIRE(s.running == 0);
  }
  REQUIRE(c.ran == 50);
  REQUIRE(c.destroyed == 50);
}

TEST_CASE("pool: a full queue refuses at once", "[pool]") {
  Counters c;
  Gate gate;
  sg::HashPool pool({1, 2, 64 * 1024, 64});
  REQUIRE(submit(pool, c, 0, &gate) == sg::Admission::accepted);  // runs, blocked on the gate
  eventually([&] { return pool.stats().running == 1; });
  REQUIRE(submit(pool, c, 0) == sg::Admission::accepted);
  REQUIRE(submit(pool, c, 0) == sg::Admission::accepted);
  REQUIRE(submit(pool, c, 0) == sg::Admission::queue_full);
  REQUIRE(pool.stats().queued == 2);
  gate.release();
  eventually([&] { return c.delivered == 3; });
  REQUIRE(submit(pool, c, 0) == sg::Admission::accepted);
  eventually([&] { return c.delivered == 4; });
}

TEST_CASE("pool: admission by memory counts waiting jobs, running ones and kept arenas", "[pool]") {
  Counters c;
  Gate gate;
  // Budget 100 KiB; arenas up to 40 KiB.
  sg::HashPool pool({1, 100, 100, 40});
  REQUIRE(submit(pool, c, 30 * kKiB, &gate) == sg::Admission::accepted);  // arena of 30 KiB
  eventually([&] { return pool.stats().running == 1; });
  REQUIRE(pool.stats().memory_in_use_kib == 30);
  REQUIRE(submit(pool, c, 40 * kKiB) == sg::Admission::accepted);  // waits: 70 KiB
  REQUIRE(submit(pool, c, 31 * kKiB) == sg::Admission::over_budget);
  REQUIRE(submit(pool, c, 30 * kKiB) == sg::Admission::accepted);  // exactly 100
  REQUIRE(pool.stats().memory_in_use_kib == 100);
  REQUIRE(submit(pool, c, 1) == sg::Admission::over_budget);
  REQUIRE(pool.stats().queued == 2);
  gate.release();
  eventually([&] { return c.delivered == 3; });
  // The thread keeps one arena, grown to the largest job that fit in arena_kib.
  sg::PoolStats s = pool.stats();
  REQUIRE(s.arena_kib_held == 40);
  REQUIRE(s.memory_in_use_kib == 40);
  REQUIRE(c.with_arena == 3);
  // A job over arena_kib runs outside the arena (and counts while it runs).
  Gate gate2;
  REQUIRE(submit(pool, c, 50 * kKiB, &gate2) == sg::Admission::accepted);
  eventually([&] { return pool.stats().running == 1; });
  REQUIRE(pool.stats().memory_in_use_kib == 90);
  gate2.release();
  eventually([&] { return c.delivered == 4; });
  REQUIRE(c.with_arena == 3);
  REQUIRE(pool.stats().memory_in_use_kib == 40);
  // Lowering arena_kib makes the thread give its arena back.
  pool.configure({1, 100, 100, 16});
  REQUIRE(submit(pool, c, 8 * kKiB) == sg::Admission::accepted);
  eventually([&] { return c.delivered == 5; });
  eventually([&] { return pool.stats().arena_kib_held == 8; });
}

TEST_CASE("pool: threads grow and shrink at run time", "[pool]") {
  Counters c;
  sg::HashPool pool({1, 100, 1024, 64});
  REQUIRE(submit(pool, c, 0) == sg::Admission::accepted);
  eventually([&] { return c.delivered == 1; });
  REQUIRE(pool.stats().threads_alive == 1);
  pool.configure({4, 100, 1024, 64});
  REQUIRE(pool.stats().threads_alive == 4);
  Gate gate;
  for (int i = 0; i < 4; ++i) REQUIRE(submit(pool, c, 0, &gate) == sg::Admission::accepted);
  eventually([&] { return pool.stats().running == 4; });  // four at once: four threads
  gate.release();
  eventually([&] { return c.delivered == 5; });
  pool.configure({2, 100, 1024, 64});
  REQUIRE(pool.stats().threads_alive == 2);
  for (int i = 0; i < 20; ++i) REQUIRE(submit(pool, c, 0) == sg::Admission::accepted);
  eventually([&] { return c.delivered == 25; });
}

TEST_CASE("pool: shutdown joins the threads and drops jobs that have not run", "[pool]") {
  Counters c;
  Gate gate;
  std::thread opener;
  {
    sg::HashPool pool({1, 100, 1024, 64});
    REQUIRE(submit(pool, c, 0, &gate) == sg::Admission::accepted);
    eventually([&] { return pool.stats().running == 1; });
    for (int i = 0; i < 5; ++i) REQUIRE(submit(pool, c, 0) == sg::Admission::accepted);
    opener = std::thread([&] {
      std::this_thread::sleep_for(50ms);
      gate.release();
    });
  }  // the destructor waits for the running job, then drops the five waiting ones
  opener.join();
  REQUIRE(c.ran == 1);
  REQUIRE(c.delivered == 0);
  REQUIRE(c.destroyed == 6);
}

TEST_CASE("pool: hashers' requests fold into one configuration", "[pool]") {
  sg::HashPool pool({2, 256, 512 * 1024, 19456});
  // Nothing asked keeps the current settings; an arena never shrinks below the current one.
  sg::PoolConfig c = pool.request({0, 0, 0, 4096});
  REQUIRE(c.threads == 2);
  REQUIRE(c.max_queue == 256);
  REQUIRE(c.memory_budget_kib == 512 * 1024);
  REQUIRE(c.arena_kib == 19456);
  // The most threads asked; the smallest budget; the queue and the arena only grow.
  c = pool.request({1, 10, 256 * 1024, 65536});
  REQUIRE(c.threads == 1);
  REQUIRE(c.max_queue == 256);
  REQUIRE(c.memory_budget_kib == 256 * 1024);
  REQUIRE(c.arena_kib == 65536);
  c = pool.request({3, 1000, 1024 * 1024, 4096});
  REQUIRE(c.threads == 3);
  REQUIRE(c.max_queue == 1000);
  REQUIRE(c.memory_budget_kib == 256 * 1024);
  REQUIRE(c.arena_kib == 65536);
  c = pool.request({0, 0, 128 * 1024, 0});
  REQUIRE(c.threads == 3);
  REQUIRE(c.memory_budget_kib == 128 * 1024);
  const sg::PoolStats s = pool.stats();
  REQUIRE(s.config.threads == 3);
  REQUIRE(s.config.memory_budget_kib == 128 * 1024);
}

TEST_CASE("pool: would_admit answers what submit would, and changes nothing", "[pool]") {
  Counters c;
  Gate gate;
  sg::HashPool pool({1, 1, 100, 40});
  REQUIRE(pool.would_admit(30 * kKiB) == sg::Admission::accepted);
  REQUIRE(submit(pool, c, 30 * kKiB, &gate) == sg::Admission::accepted);
  eventually([&] { return pool.stats().running == 1; });
  REQUIRE(pool.would_admit(71 * kKiB) == sg::Admission::over_budget);
  REQUIRE(pool.would_admit(70 * kKiB) == sg::Admission::accepted);
  REQUIRE(pool.stats().queued == 0);
  REQUIRE(submit(pool, c, 10 * kKiB) == sg::Admission::accepted);
  REQUIRE(pool.would_admit(1) == sg::Admission::queue_full);
  REQUIRE(submit(pool, c, 1) == sg::Admission::queue_full);
  gate.release();
  eventually([&] { return c.delivered == 2; });
}
