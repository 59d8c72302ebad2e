#include "paseto_v4_local.hpp"

#include <cstring>
#include <stdexcept>
#include <vector>

#include "base64url.hpp"
#include "random.hpp"
#include "sodium_runtime.hpp"

namespace sg::paseto {

namespace {

constexpr char kEncDomain[] = "paseto-encryption-key";
constexpr char kAuthDomain[] = "paseto-auth-key-for-aead";
constexpr size_t kEkBytes = 32;
constexpr size_t kN2Bytes = crypto_stream_xchacha20_NONCEBYTES;  // 24
constexpr size_t kAkBytes = 32;
static_assert(kEkBytes == crypto_stream_xchacha20_KEYBYTES, "XChaCha20 key size");
static_assert(kEkBytes + kN2Bytes == 56, "BLAKE2b-448 output splits into Ek || n2");

// Wipes a hash state on every exit path: a copy of a key's state holds the key.
struct ScopedHashState {
  crypto_generichash_state st;
  ~ScopedHashState() { sodium_memzero(&st, sizeof st); }
};

void le64(uint8_t out[8], uint64_t v) noexcept {
  v &= UINT64_C(0x7fffffffffffffff);  // PAE clears the MSB for interoperability.
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  }
}

void absorb(crypto_generichash_state* st, const uint8_t* p, size_t len) noexcept {
  if (len > 0) crypto_generichash_update(st, p, len);
}

// t = BLAKE2b-256(key = Ak, msg = PAE(h, n, c, f, i)), with PAE streamed into the state so no
// buffer holds it (a 130-byte payload's token would otherwise need a heap allocation).
void compute_tag(const uint8_t ak[kAkBytes], const uint8_t nonce[kNonceBytes], const uint8_t* c,
                 size_t c_len, const uint8_t* footer, size_t footer_len, const uint8_t* implicit,
                 size_t implicit_len, uint8_t tag[kTagBytes]) noexcept {
  // Count, then h and n with their lengths, then c's length: one fixed-size prefix.
  uint8_t head[8 + 8 + kV4LocalHeaderLen + 8 + kNonceBytes + 8];
  le64(head, 5);
  le64(head + 8, kV4LocalHeaderLen);
  std::memcpy(head + 16, kV4LocalHeader, kV4LocalHeaderLen);
  le64(head + 16 + kV4LocalHeaderLen, kNonceBytes);
  std::memcpy(head + 24 + kV4LocalHeaderLen, nonce, kNonceBytes);
  le64(head + 24 + kV4LocalHeaderLen + kNonceBytes, c_len);

  ScopedHashState s;
  crypto_generichash_init(&s.st, ak, kAkBytes, kTagBytes);
  absorb(&s.st, head, sizeof head);
  absorb(&s.st, c, c_len);
  uint8_t len[8];
  le64(len, footer_len);
  absorb(&s.st, len, sizeof len);
  absorb(&s.st, footer, footer_len);
  le64(len, implicit_len);
  absorb(&s.st, len, sizeof len);
  absorb(&s.st, implicit, implicit_len);
  crypto_generichash_final(&s.st, tag, kTagBytes);
}

struct TokenParts {
  const char* body;
  size_t body_len;
  const char* footer;  // nullptr when the token has no footer
  size_t footer_len;
};

// Header check and split at the first '.' after it. A '.' with nothing after it is refused:
// the encoder never writes it, so accepting it would give one token two spellings.
bool split(const char* token, size_t token_len, TokenParts* parts) noexcept {
  if (token == nullptr || token_len < kV4LocalHeaderLen ||
      std::memcmp(token, kV4LocalHeader, kV4LocalHeaderLen) != 0) {
    return false;
  }
  parts->body = token + kV4LocalHeaderLen;
  const size_t rest = token_len - kV4LocalHeaderLen;
  const void* dot = std::memchr(parts->body, '.', rest);
  if (dot == nullptr) {
    parts->body_len = rest;
    parts->footer = nullptr;
    parts->footer_len = 0;
    return true;
  }
  parts->body_len = static_cast<size_t>(static_cast<const char*>(dot) - parts->body);
  parts->footer = parts->body + parts->body_len + 1;
  parts->footer_len = rest - parts->body_len - 1;
  return parts->footer_len > 0;
}

bool body_len_ok(size_t body_b64_len, size_t* decoded) noexcept {
  return base64url_decoded_len(body_b64_len, decoded) && *decoded >= kNonceBytes + kTagBytes;
}

uint8_t* bytes_of(std::string& s) noexcept { return reinterpret_cast<uint8_t*>(&s[0]); }

}  // namespace

LocalKey::LocalKey(const uint8_t key[kKeyBytes]) {
  if (!sodium_ready()) throw std::runtime_error("libsodium failed to initialize");
  std::memcpy(key_.data(), key, kKeyBytes);
  crypto_generichash_init(&enc_, key_.data(), kKeyBytes, kEkBytes + kN2Bytes);
  crypto_generichash_update(&enc_, reinterpret_cast<const uint8_t*>(kEncDomain),
                            sizeof kEncDomain - 1);
  crypto_generichash_init(&auth_, key_.data(), kKeyBytes, kAkBytes);
  crypto_generichash_update(&auth_, reinterpret_cast<const uint8_t*>(kAuthDomain),
                            sizeof kAuthDomain - 1);
}

LocalKey::~LocalKey() {
  sodium_memzero(&enc_, sizeof enc_);
  sodium_memzero(&auth_, sizeof auth_);
}

void LocalKey::derive(const uint8_t nonce[kNonceBytes], uint8_t ek_n2[56],
                      uint8_t ak[32]) const noexcept {
  ScopedHashState s;
  s.st = enc_;
  crypto_generichash_update(&s.st, nonce, kNonceBytes);
  crypto_generichash_final(&s.st, ek_n2, kEkBytes + kN2Bytes);
  s.st = auth_;
  crypto_generichash_update(&s.st, nonce, kNonceBytes);
  crypto_generichash_final(&s.st, ak, kAkBytes);
}

std::string v4_local_encrypt(const LocalKey& key, const uint8_t* msg, size_t msg_len,
                             const uint8_t* footer, size_t footer_len, const uint8_t* implicit,
                             size_t implicit_len, const uint8_t* test_nonce) {
  // body = n || c || t
  std::vector<uint8_t> body(kNonceBytes + msg_len + kTagBytes);
  uint8_t* const nonce = body.data();
  uint8_t* const c = nonce + kNonceBytes;
  uint8_t* const tag = c + msg_len;
  if (test_nonce != nullptr) {
    std::memcpy(nonce, test_nonce, kNonceBytes);
  } else {
    nonce_fill(nonce, kNonceBytes);
  }

  SecretArray<kEkBytes + kN2Bytes> ek_n2;
  SecretArray<kAkBytes> ak;
  key.derive(nonce, ek_n2.data(), ak.data());
  if (msg_len > 0) {
    crypto_stream_xchacha20_xor(c, msg, msg_len, ek_n2.data() + kEkBytes, ek_n2.data());
  }
  compute_tag(ak.data(), nonce, c, msg_len, footer, footer_len, implicit, implicit_len, tag);

  std::string token;
  token.reserve(kV4LocalHeaderLen + base64url_encoded_len(body.size()) + 1 +
                (footer_len > 0 ? 1 + base64url_encoded_len(footer_len) : 0));
  token.append(kV4LocalHeader, kV4LocalHeaderLen);
  base64url_append_public(token, body.data(), body.size());
  if (footer_len > 0) {
    token.push_back('.');
    base64url_append_public(token, footer, footer_len);
  }
  return token;
}

bool v4_local_decrypt(const LocalKey& key, const char* token, size_t token_len,
                      const uint8_t* implicit, size_t implicit_len, std::string& message_out,
                      std::string* footer_out) {
  std::string local_footer;
  std::string& footer = footer_out != nullptr ? *footer_out : local_footer;
  // Every failure leaves both outputs empty: callers never see ciphertext or an unverified
  // footer.
  auto fail = [&]() {
    message_out.clear();
    footer.clear();
    return false;
  };
  message_out.clear();
  footer.clear();

  TokenParts parts;
  size_t body_len = 0;
  if (!split(token, token_len, &parts) || !body_len_ok(parts.body_len, &body_len)) return fail();
  if (parts.footer != nullptr && !base64url_decode_public(parts.footer, parts.footer_len, footer)) {
    return fail();
  }

  // Decode n || c || t straight into the output and decrypt there: the only allocation on this
  // path is the result the caller needs anyway.
  message_out.resize(body_len);
  size_t written = 0;
  uint8_t* const buf = bytes_of(message_out);
  if (!base64url_decode_public(parts.body, parts.body_len, buf, body_len, &written)) return fail();
  const uint8_t* const nonce = buf;
  uint8_t* const c = buf + kNonceBytes;
  const size_t c_len = body_len - kNonceBytes - kTagBytes;
  const uint8_t* const tag = c + c_len;

  SecretArray<kEkBytes + kN2Bytes> ek_n2;
  SecretArray<kAkBytes> ak;
  key.derive(nonce, ek_n2.data(), ak.data());
  uint8_t expected[kTagBytes];
  compute_tag(ak.data(), nonce, c, c_len, bytes_of(footer), footer.size(), implicit, implicit_len,
              expected);
  // Constant time, and before decryption: nothing unauthenticated is ever decrypted.
  if (sodium_memcmp(expected, tag, kTagBytes) != 0) return fail();

  if (c_len > 0) {
    crypto_stream_xchacha20_xor(c, c, c_len, ek_n2.data() + kEkBytes, ek_n2.data());
  }
  std::memmove(buf, c, c_len);
  // The tail past c_len still holds plaintext (the last bytes before the shift) and the tag.
  sodium_memzero(buf + c_len, body_len - c_len);
  message_out.resize(c_len);
  return true;
}

bool v4_local_footer(const char* token, size_t token_len, std::string& footer_out) {
  footer_out.clear();
  TokenParts parts;
  size_t body_len = 0;
  if (!split(token, token_len, &parts) || !body_len_ok(parts.body_len, &body_len)) return false;
  if (parts.footer == nullptr) return true;
  return base64url_decode_public(parts.footer, parts.footer_len, footer_out);
}

}  // namespace sg::paseto
