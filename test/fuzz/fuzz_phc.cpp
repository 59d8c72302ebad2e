// libFuzzer target: the PHC parser (stored hashes are attacker-facing input) never crashes or
// reads out of bounds, respects its ceilings, and whatever it accepts re-encodes to a string it
// parses to the same fields; an input already in the emitted form re-encodes to itself. The
// bcrypt shape check runs on the same input.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "bcrypt.hpp"
#include "phc.hpp"

namespace {

bool same(const sg::phc::Argon2Hash& a, const sg::phc::Argon2Hash& b) {
  return a.params.variant == b.params.variant && a.params.version == b.params.version &&
         a.params.m_kib == b.params.m_kib && a.params.t == b.params.t && a.params.p == b.params.p &&
         a.keyid == b.keyid && a.ad == b.ad && a.salt == b.salt && a.tag == b.tag;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* in = reinterpret_cast<const char*>(data);
  sg::phc::Ceilings c;
  c.max_m_kib = 1 << 16;
  c.max_t = 8;
  c.max_p = 4;
  sg::phc::Argon2Hash h;
  if (sg::phc::parse_argon2(in, size, c, h)) {
    const auto& p = h.params;
    if (p.m_kib > c.max_m_kib || p.t > c.max_t || p.p > c.max_p || p.t < 1 || p.p < 1 ||
        p.m_kib < 8 * p.p || h.salt.size() < 8 || h.tag.size() < 4) {
      std::abort();
    }
    const std::string again =
        sg::phc::encode_argon2(p, h.keyid, h.ad.data(), h.ad.size(), h.salt.data(), h.salt.size(),
                               h.tag.data(), h.tag.size());
    sg::phc::Argon2Hash h2;
    if (!sg::phc::parse_argon2(again.data(), again.size(), c, h2) || !same(h, h2)) std::abort();
    const std::string input(in, size);
    if (input.find("$v=") != std::string::npos && input.find(",t=") != std::string::npos &&
        input.find("m=") < input.find(",t=") && input.find(",t=") < input.find(",p=") &&
        input.find(",keyid=") == std::string::npos && input.find(",data=") == std::string::npos &&
        again != input) {
      std::abort();  // the canonical form is a fixed point
    }
  }
  sg::bcrypt::Info info;
  if (sg::bcrypt::parse(in, size, info) && (info.cost < 4 || info.cost > 31 || size != 60)) {
    std::abort();
  }
  return 0;
}
