#include "bcrypt.hpp"

#include <crypt.h>  // struct crypt_data and the sizes only: libcrypt itself is dlopen'ed
#include <dlfcn.h>
#include <sodium.h>

#include <cstring>
#include <memory>
#include <mutex>

#include "random.hpp"

namespace sg::bcrypt {

namespace {

using crypt_rn_fn = char* (*)(const char*, const char*, void*, int);
using gensalt_rn_fn = char* (*)(const char*, unsigned long, const char*, int, char*, int);

struct Libcrypt {
  crypt_rn_fn crypt_rn = nullptr;
  gensalt_rn_fn gensalt_rn = nullptr;
};

const Libcrypt& lib() {
  static Libcrypt loaded;
  static std::once_flag once;
  std::call_once(once, [] {
    for (const char* name : {"libcrypt.so.1", "libcrypt.so.2"}) {
      void* h = dlopen(name, RTLD_NOW | RTLD_LOCAL);  // never closed: process lifetime
      if (h == nullptr) continue;
      auto c = reinterpret_cast<crypt_rn_fn>(dlsym(h, "crypt_rn"));
      auto g = reinterpret_cast<gensalt_rn_fn>(dlsym(h, "crypt_gensalt_rn"));
      if (c != nullptr && g != nullptr) {
        loaded.crypt_rn = c;
        loaded.gensalt_rn = g;
        return;
      }
    }
  });
  return loaded;
}

bool alphabet(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '/';
}

// A zeroed crypt_data per call (libxcrypt's thread-safety contract), wiped after: it held the
// password's key schedule.
struct CryptData {
  std::unique_ptr<crypt_data> data{new crypt_data()};
  ~CryptData() { sodium_memzero(data.get(), sizeof(crypt_data)); }
};

// The password as a C string in a buffer wiped on exit; false when it holds a NUL (crypt would
// stop there) or is longer than bcrypt uses.
struct Phrase {
  char buf[kMaxPassword + 1] = {0};
  ~Phrase() { sodium_memzero(buf, sizeof buf); }
  bool set(const uint8_t* p, size_t len) {
    if (len > kMaxPassword || (len > 0 && std::memchr(p, 0, len) != nullptr)) return false;
    if (len > 0) std::memcpy(buf, p, len);
    buf[len] = '\0';
    return true;
  }
};

}  // namespace

bool parse(const char* s, size_t len, Info& out) noexcept {
  if (len != kHashLength || s[0] != '$' || s[1] != '2' || s[3] != '$' || s[6] != '$') return false;
  if (s[2] != 'a' && s[2] != 'b' && s[2] != 'y') return false;
  if (s[4] < '0' || s[4] > '9' || s[5] < '0' || s[5] > '9') return false;
  const uint32_t cost = static_cast<uint32_t>((s[4] - '0') * 10 + (s[5] - '0'));
  if (cost < kMinCost || cost > kMaxCost) return false;
  for (size_t i = 7; i < len; ++i)
    if (!alphabet(s[i])) return false;
  out.minor = s[2];
  out.cost = cost;
  return true;
}

const char* unavailable_reason() noexcept {
  if (lib().crypt_rn != nullptr) return nullptr;
  return "bcrypt needs libxcrypt's libcrypt.so.1 or libcrypt.so.2, which this system lacks "
         "(Debian/Ubuntu: apt-get install libcrypt1; Fedora/RHEL/Amazon Linux: dnf install "
         "libxcrypt; Alpine is not supported)";
}

Result hash(const uint8_t* password, size_t len, uint32_t cost, std::string& out) {
  const Libcrypt& c = lib();
  if (c.crypt_rn == nullptr) return Result::unavailable;
  Phrase phrase;
  if (!phrase.set(password, len) || cost < kMinCost || cost > kMaxCost) return Result::refused;
  char rbytes[16];
  random_fill(reinterpret_cast<uint8_t*>(rbytes), sizeof rbytes);
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  const char* s = c.gensalt_rn("$2b$", cost, rbytes, sizeof rbytes, setting, sizeof setting);
  sodium_memzero(rbytes, sizeof rbytes);
  if (s == nullptr) return Result::failed;
  CryptData data;
  const char* h = c.crypt_rn(phrase.buf, setting, data.data.get(), sizeof(crypt_data));
  if (h == nullptr || std::strlen(h) != kHashLength) return Result::failed;
  out.assign(h, kHashLength);
  return Result::ok;
}

Result verify(const char* hash, size_t hash_len, const uint8_t* password, size_t len, bool& match,
              uint32_t max_cost) {
  match = false;
  const Libcrypt& c = lib();
  if (c.crypt_rn == nullptr) return Result::unavailable;
  Info info;
  Phrase phrase;
  if (!parse(hash, hash_len, info) || info.cost > max_cost || !phrase.set(password, len))
    return Result::ok;
  char setting[kHashLength + 1];
  std::memcpy(setting, hash, kHashLength);
  setting[kHashLength] = '\0';
  CryptData data;
  const char* h = c.crypt_rn(phrase.buf, setting, data.data.get(), sizeof(crypt_data));
  if (h == nullptr || std::strlen(h) != kHashLength) return Result::ok;
  match = sodium_memcmp(h, hash, kHashLength) == 0;
  return Result::ok;
}

}  // namespace sg::bcrypt
