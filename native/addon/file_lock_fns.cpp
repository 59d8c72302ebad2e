#include "file_lock_fns.hpp"

#include <cstring>
#include <string>

#include "errors.hpp"
#include "file_lock.hpp"

namespace sga {

namespace {

constexpr uint32_t kMaxFd = 0x7fffffff;

// flockExclusive(fd): true when this process now holds the lock, false when another open file
// description holds it; any other failure is a coded error naming the errno.
Napi::Value FlockExclusive(const Napi::CallbackInfo& info) {
  const uint32_t fd = ArgUint32(info, 0, "fd");
  if (fd > kMaxFd) ThrowRange(info.Env(), "The \"fd\" argument must be a file descriptor");
  const sg::FileLockResult r = sg::lock_exclusive(static_cast<int>(fd));
  switch (r.status) {
    case sg::LockStatus::locked:
      return Napi::Boolean::New(info.Env(), true);
    case sg::LockStatus::held_by_other:
      return Napi::Boolean::New(info.Env(), false);
    case sg::LockStatus::error:
      break;
  }
  char buf[128];
  // The GNU strerror_r (thread-safe, unlike strerror: the addon runs in worker_threads too).
  const char* text = ::strerror_r(r.error_number, buf, sizeof buf);
  ThrowCoded(
      info.Env(), "ERR_STORE_UNAVAILABLE",
      std::string("flock failed: ") + text + " (errno " + std::to_string(r.error_number) + ")");
}

}  // namespace

void RegisterFileLock(Napi::Env env, Napi::Object exports) {
  exports.Set("flockExclusive", Napi::Function::New(env, FlockExclusive, "flockExclusive"));
}

}  // namespace sga
