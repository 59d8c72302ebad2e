// An exclusive, non-blocking flock(2) on an open file: the file revocation store takes one on a
// lock file beside its data file so that only one process appends to it.
#pragma once

namespace sg {

enum class LockStatus {
  locked,         // this open file description now holds the exclusive lock
  held_by_other,  // another open file description (usually another process) holds it
  error,          // flock failed; see FileLockResult::error_number
};

struct FileLockResult {
  LockStatus status;
  int error_number;  // errno when status == error, else 0
};

// flock(fd, LOCK_EX | LOCK_NB), retried on EINTR. The lock belongs to the open file description:
// closing every descriptor of it (or unlock_file) releases it.
FileLockResult lock_exclusive(int fd) noexcept;

// flock(fd, LOCK_UN), retried on EINTR.
FileLockResult unlock_file(int fd) noexcept;

}  // namespace sg
