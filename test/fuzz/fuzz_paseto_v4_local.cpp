// libFuzzer target: no change to a valid v4.local token, however small, is accepted, and no
// input crashes the decoder. The fuzzer's bytes pick one of a few valid tokens (with and
// without footer, with and without implicit assertion) and a list of edits (flip, insert,
// delete, truncate); if the edited token still decrypts, it must be the untouched original:
// anything else would be a forgery or a second spelling of one token.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "paseto_v4_local.hpp"

namespace {

struct Seed {
  std::string token, implicit, message;
};

const uint8_t kKey[32] = {0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a,
                          0x7b, 0x7c, 0x7d, 0x7e, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85,
                          0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f};

const std::vector<Seed>& Seeds() {
  static const std::vector<Seed> seeds = [] {
    sg::paseto::LocalKey key(kKey);
    std::vector<Seed> out;
    const std::string msgs[] = {"", "{\"data\":1}", std::string(200, 'x')};
    const std::string footers[] = {"", "{\"kid\":\"k4.lid.x\"}"};
    const std::string implicits[] = {"", "start-guard/session/v1"};
    for (const auto& m : msgs) {
      for (const auto& f : footers) {
        for (const auto& i : implicits) {
          const auto u = [](const std::string& s) {
            return reinterpret_cast<const uint8_t*>(s.data());
          };
          out.push_back(
              {sg::paseto::v4_local_encrypt(key, u(m), m.size(), u(f), f.size(), u(i), i.size()), i,
               m});
        }
      }
    }
    return out;
  }();
  return seeds;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sg::paseto::LocalKey key(kKey);
  const auto& seeds = Seeds();
  std::string out;
  // The raw input as a token: must simply not crash (and essentially never verify).
  sg::paseto::v4_local_decrypt(key, reinterpret_cast<const char*>(data), size, nullptr, 0, out);
  if (size < 1) return 0;
  const Seed& seed = seeds[data[0] % seeds.size()];
  std::string token = seed.token;
  for (size_t p = 1; p + 2 < size; p += 3) {
    const size_t pos = (size_t{data[p + 1]} << 8 | data[p + 2]) % (token.size() + 1);
    switch (data[p] % 4) {
      case 0:
        if (pos < token.size()) token[pos] = static_cast<char>(token[pos] ^ (data[p] | 1));
        break;
      case 1:
        token.insert(token.begin() + static_cast<std::ptrdiff_t>(pos), static_cast<char>(data[p]));
        break;
      case 2:
        if (pos < token.size()) token.erase(pos, 1);
        break;
      default:
        token.resize(pos);
    }
  }
  const auto* implicit = reinterpret_cast<const uint8_t*>(seed.implicit.data());
  std::string footer;
  if (sg::paseto::v4_local_decrypt(key, token.data(), token.size(), implicit, seed.implicit.size(),
                                   out, &footer)) {
    if (token != seed.token || out != seed.message) std::abort();
  }
  return 0;
}
