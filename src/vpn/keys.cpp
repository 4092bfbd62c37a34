#include "vpn/keys.hpp"

#include <memory>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/error.hpp"

namespace bw::vpn {

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Wipes a key buffer when it goes out of scope (private keys only live this long).
struct Wiped {
  KeyBytes bytes{};
  ~Wiped() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

KeyBytes random_bytes() {
  KeyBytes k{};
  if (RAND_priv_bytes(k.data(), static_cast<int>(k.size())) != 1) {
    throw Error(ErrorKind::usage, "the system's random source failed; cannot make WireGuard keys");
  }
  return k;
}

std::string public_of_bytes(const KeyBytes& private_key) {
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, private_key.data(), private_key.size()));
  if (!key) {
    throw Error(ErrorKind::usage, "OpenSSL cannot make an X25519 key (is OpenSSL 1.1.1 or newer installed?)");
  }
  KeyBytes pub{};
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len) != 1 || len != pub.size()) {
    throw Error(ErrorKind::usage, "OpenSSL could not derive an X25519 public key");
  }
  return encode_key(pub);
}

}  // namespace

void clamp(KeyBytes& key) {
  key[0] &= 248;
  key[31] = static_cast<uint8_t>((key[31] & 127) | 64);
}

std::string encode_key(const KeyBytes& key) {
  std::string out(44 + 1, '\0');  // EVP_EncodeBlock writes a terminating NUL
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), key.data(), static_cast<int>(key.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<KeyBytes> decode_key(std::string_view text) {
  // 32 bytes are 43 base64 digits and one '=': anything else is not a WireGuard key.
  if (text.size() != 44 || text[43] != '=' || text[42] == '=') {
    return std::nullopt;
  }
  unsigned char buf[33 + 1] = {};
  int n = EVP_DecodeBlock(buf, reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n != 33) {  // EVP_DecodeBlock counts the padding as a zero byte
    OPENSSL_cleanse(buf, sizeof buf);
    return std::nullopt;
  }
  KeyBytes k{};
  std::copy(buf, buf + 32, k.begin());
  OPENSSL_cleanse(buf, sizeof buf);
  // The last digit carries 2 bits of padding that must be zero (canonical encoding).
  if (encode_key(k) != text) {
    return std::nullopt;
  }
  return k;
}

KeyPair generate_key_pair() {
  Wiped priv;
  priv.bytes = random_bytes();
  clamp(priv.bytes);
  KeyPair kp;
  kp.public_key = public_of_bytes(priv.bytes);
  kp.private_key = Secret(encode_key(priv.bytes));
  return kp;
}

Secret generate_preshared_key() {
  Wiped psk;
  psk.bytes = random_bytes();
  return Secret(encode_key(psk.bytes));
}

std::string public_key_of(const Secret& private_key) {
  auto k = decode_key(private_key.reveal());
  if (!k) {
    throw Error(ErrorKind::usage, "not a WireGuard private key (44 base64 characters)");
  }
  Wiped priv;
  priv.bytes = *k;
  OPENSSL_cleanse(k->data(), k->size());
  return public_of_bytes(priv.bytes);
}

}  // namespace bw::vpn
