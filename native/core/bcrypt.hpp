// bcrypt through libxcrypt's crypt_rn / crypt_gensalt_rn (thread-safe with a zeroed struct
// crypt_data per call), loaded at run time: libcrypt.so.1 (Debian, Ubuntu), else libcrypt.so.2
// (Fedora, RHEL 9, Arch, Amazon Linux 2023; same crypt_rn). A system without either still runs
// everything else; only bcrypt reports it is unavailable.
// Verifies $2a$, $2b$ and $2y$; hashes $2b$. Never truncates: a password over 72 bytes or with a
// NUL byte is refused for hashing and does not verify.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace sg::bcrypt {

constexpr size_t kMaxPassword = 72;
constexpr uint32_t kMinCost = 4, kMaxCost = 31;
// The highest stored cost verify will hash unless the caller allows more, as the PHC parser's
// ceilings do for Argon2: a stored $2b$31$ would hold a pool thread for days. 15 is the policy
// layer's maxBcryptCost default.
constexpr uint32_t kDefaultMaxVerifyCost = 15;
constexpr size_t kHashLength = 60;

struct Info {
  char minor = 'b';  // the letter of $2a$, $2b$ or $2y$
  uint32_t cost = 0;
};

// Strict shape: $2[aby]$NN$ then 53 characters of bcrypt's base64 alphabet; cost 04 to 31.
bool parse(const char* s, size_t len, Info& out) noexcept;

// Null when libcrypt was loaded; otherwise why not, with what to install.
const char* unavailable_reason() noexcept;

enum class Result { ok, refused, unavailable, failed };

// refused: the password has a NUL byte, is over 72 bytes, or the cost is out of range.
Result hash(const uint8_t* password, size_t len, uint32_t cost, std::string& out);

// match is true only when the hash is well formed and the password gives it (compared in
// constant time). A malformed hash, a cost over max_cost (nothing is hashed) or a refused
// password is ok with match = false.
Result verify(const char* hash, size_t hash_len, const uint8_t* password, size_t len, bool& match,
              uint32_t max_cost = kDefaultMaxVerifyCost);

}  // namespace sg::bcrypt
