#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <set>
#include <string>

#include "random.hpp"
#include "sodium_runtime.hpp"

TEST_CASE("libsodium starts and reports its version", "[runtime]") {
  REQUIRE(sg::sodium_ready());
  REQUIRE(sg::sodium_version().rfind("1.0.", 0) == 0);
  // Every x86-64 CPU has SSE2; the detection must have run.
  REQUIRE(sg::cpu_features().sse2);
}

TEST_CASE("random_fill fills the whole buffer and differs between calls", "[runtime]") {
  uint8_t a[64] = {0}, b[64] = {0}, zero[64] = {0};
  sg::random_fill(a, sizeof a);
  sg::random_fill(b, sizeof b);
  REQUIRE(std::memcmp(a, zero, sizeof a) != 0);
  REQUIRE(std::memcmp(a, b, sizeof a) != 0);
  // The last byte is written too (off-by-one guard): 64 random bytes all ending in 0 in both
  // buffers happens with probability 2^-16; retry once to keep the test from flaking.
  if (a[63] == 0 && b[63] == 0) {
    sg::random_fill(a, sizeof a);
    REQUIRE(a[63] != 0);
  }
}

TEST_CASE("nonce_fill never repeats, across pool refills", "[runtime]") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {  // 32 KB: eight refills of the 4 KiB pool
    uint8_t n[32];
    sg::nonce_fill(n, sizeof n);
    REQUIRE(seen.insert(std::string(reinterpret_cast<char*>(n), sizeof n)).second);
  }
}

TEST_CASE("a forked child does not repeat the parent's next nonces", "[runtime]") {
  uint8_t warm[32];
  sg::nonce_fill(warm, sizeof warm);  // the pool now holds bytes the parent will serve next
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    uint8_t child[32];
    sg::nonce_fill(child, sizeof child);
    const ssize_t w = write(fds[1], child, sizeof child);
    _exit(w == static_cast<ssize_t>(sizeof child) ? 0 : 1);
  }
  uint8_t parent[32], child[32];
  sg::nonce_fill(parent, sizeof parent);
  REQUIRE(read(fds[0], child, sizeof child) == static_cast<ssize_t>(sizeof child));
  int status = 0;
  waitpid(pid, &status, 0);
  close(fds[0]);
  close(fds[1]);
  REQUIRE(WIFEXITED(status));
  REQUIRE(std::memcmp(parent, child, sizeof parent) != 0);
}
