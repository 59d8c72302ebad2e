// libFuzzer target: the table-driven decoder used for token bytes must accept exactly what
// libsodium's constant-time decoder accepts, with the same output, and everything it accepts
// must re-encode to the input (one spelling per byte string).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "base64url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* in = reinterpret_cast<const char*>(data);
  std::string fast, ct;
  const bool fast_ok = sg::base64url_decode_public(in, size, fast);
  const bool ct_ok = sg::base64url_decode(in, size, ct);
  if (fast_ok != ct_ok || fast != ct) std::abort();
  if (fast_ok) {
    std::string again;
    sg::base64url_append_public(again, reinterpret_cast<const uint8_t*>(fast.data()), fast.size());
    if (again != std::string(in, size)) std::abort();
    if (again != sg::base64url_encode(reinterpret_cast<const uint8_t*>(fast.data()), fast.size())) {
      std::abort();
    }
  }
  return 0;
}
