#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "file_lock.hpp"

namespace {

// A fresh file in the temp directory, removed when the test ends.
struct TempFile {
  std::string path;
  TempFile() {
    const char* dir = std::getenv("TMPDIR");
    path = std::string(dir != nullptr ? dir : "/tmp") + "/sg-file-lock-XXXXXX";
    const int fd = ::mkstemp(path.data());
    REQUIRE(fd >= 0);
    ::close(fd);
  }
  ~TempFile() { ::unlink(path.c_str()); }
  int open() const { return ::open(path.c_str(), O_RDWR | O_CLOEXEC); }
};

}  // namespace

TEST_CASE("a second open file description sees the lock as held by another", "[file_lock]") {
  TempFile file;
  const int a = file.open();
  const int b = file.open();  // a separate open file description, as another process would have
  REQUIRE(a >= 0);
  REQUIRE(b >= 0);

  REQUIRE(sg::lock_exclusive(a).status == sg::LockStatus::locked);
  REQUIRE(sg::lock_exclusive(a).status == sg::LockStatus::locked);  // re-locking is idempotent
  const sg::FileLockResult other = sg::lock_exclusive(b);
  REQUIRE(other.status == sg::LockStatus::held_by_other);
  REQUIRE(other.error_number == 0);

  // Released explicitly: the other description takes it, and the first is now refused.
  REQUIRE(sg::unlock_file(a).status == sg::LockStatus::locked);
  REQUIRE(sg::lock_exclusive(b).status == sg::LockStatus::locked);
  REQUIRE(sg::lock_exclusive(a).status == sg::LockStatus::held_by_other);

  // Released by closing: the lock follows the open file description.
  ::close(b);
  REQUIRE(sg::lock_exclusive(a).status == sg::LockStatus::locked);
  ::close(a);
}

TEST_CASE("flock on a bad descriptor is an error with its errno", "[file_lock]") {
  TempFile file;
  const int fd = file.open();
  REQUIRE(fd >= 0);
  ::close(fd);
  const sg::FileLockResult r = sg::lock_exclusive(fd);
  REQUIRE(r.status == sg::LockStatus::error);
  REQUIRE(r.error_number == EBADF);
  REQUIRE(sg::unlock_file(fd).status == sg::LockStatus::error);
}
