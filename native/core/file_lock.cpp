#include "file_lock.hpp"

#include <sys/file.h>

#include <cerrno>

namespace sg {

namespace {

FileLockResult run_flock(int fd, int operation) noexcept {
  for (;;) {
    if (::flock(fd, operation) == 0) return {LockStatus::locked, 0};
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return {LockStatus::held_by_other, 0};
    return {LockStatus::error, errno};
  }
}

}  // namespace

FileLockResult lock_exclusive(int fd) noexcept { return run_flock(fd, LOCK_EX | LOCK_NB); }

FileLockResult unlock_file(int fd) noexcept {
  const FileLockResult r = run_flock(fd, LOCK_UN);
  return r.status == LockStatus::error ? r : FileLockResult{LockStatus::locked, 0};
}

}  // namespace sg
