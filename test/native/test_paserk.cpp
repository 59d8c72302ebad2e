#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "paserk.hpp"

namespace {

// Keys of the official PASERK v4 test vectors (paseto-standard/test-vectors, k4.local.json and
// k4.lid.json).
const uint8_t kZeroKey[32] = {0};
const uint8_t kKey7071[32] = {0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a,
                              0x7b, 0x7c, 0x7d, 0x7e, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85,
                              0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f};
const uint8_t kKey7090[32] = {0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a,
                              0x7b, 0x7c, 0x7d, 0x7e, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85,
                              0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x90};

bool parse(const std::string& s, uint8_t key[32]) {
  return sg::paserk::k4_local_decode(s.data(), s.size(), key);
}

}  // namespace

TEST_CASE("k4.local encodes the official vectors", "[paserk]") {
  CHECK(sg::paserk::k4_local_encode(kZeroKey) ==
        "k4.local.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  CHECK(sg::paserk::k4_local_encode(kKey7071) ==
        "k4.local.cHFyc3R1dnd4eXp7fH1-f4CBgoOEhYaHiImKi4yNjo8");
}

TEST_CASE("k4.local parses what it encodes", "[paserk]") {
  uint8_t key[32];
  REQUIRE(parse("k4.local.cHFyc3R1dnd4eXp7fH1-f4CBgoOEhYaHiImKi4yNjo8", key));
  CHECK(std::memcmp(key, kKey7071, 32) == 0);
  REQUIRE(parse(sg::paserk::k4_local_encode(kKey7090), key));
  CHECK(std::memcmp(key, kKey7090, 32) == 0);
}

TEST_CASE("k4.local parsing is strict", "[paserk]") {
  const std::string good = "k4.local.cHFyc3R1dnd4eXp7fH1-f4CBgoOEhYaHiImKi4yNjo8";
  const std::string b64 = good.substr(9);
  uint8_t key[32];
  for (const std::string& bad : {
           std::string(), std::string("k4.local."), "k3.local." + b64, "k4.public." + b64,
           "K4.local." + b64, "k4.local" + b64, "k4.local-wrap." + b64, " " + good, good + " ",
           good + "\n", good + "=",
           good + "A",                             // 33 bytes would need more; any extra fails
           good.substr(0, good.size() - 1),        // truncated
           good.substr(0, good.size() - 3),        // 30 bytes
           good.substr(0, good.size() - 1) + "9",  // non-canonical last character
           "k4.local." + b64.substr(0, 20) + "+" + b64.substr(21),  // standard alphabet
       }) {
    std::memset(key, 0xaa, sizeof key);
    CHECK_FALSE(parse(bad, key));
    // Nothing half-parsed is left behind.
    CHECK(std::memcmp(key, kZeroKey, 32) == 0);
  }
  CHECK_FALSE(sg::paserk::k4_local_decode(nullptr, 0, key));
}

TEST_CASE("k4.lid matches the official vectors", "[paserk]") {
  CHECK(sg::paserk::k4_lid(kZeroKey) == "k4.lid.bqltbNc4JLUAmc9Xtpok-fBuI0dQN5_m3CD9W_nbh559");
  CHECK(sg::paserk::k4_lid(kKey7071) == "k4.lid.iVtYQDjr5gEijCSjJC3fQaJm7nCeQSeaty0Jixy8dbsk");
  CHECK(sg::paserk::k4_lid(kKey7090) == "k4.lid.-v0wjDR1FVxNT2to41Ay1P4_8X6HIxnybX1nZ1a4FCTm");
  CHECK(sg::paserk::k4_lid(kZeroKey).size() == sg::paserk::kK4LidLen);
}
