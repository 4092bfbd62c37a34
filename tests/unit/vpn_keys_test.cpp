// WireGuard keys: RFC 7748 vectors, OpenSSL's own X25519 agreement, clamping, base64,
// and (when installed) `wg pubkey` agreeing with us.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <set>

#include <openssl/evp.h>

#include "core/error.hpp"
#include "tests/unit/skip_or_fail.hpp"
#include "vpn/keys.hpp"

namespace bw::vpn {
namespace {

KeyBytes from_hex(const std::string& hex) {
  KeyBytes k{};
  for (size_t i = 0; i < k.size(); ++i) {
    k[i] = static_cast<uint8_t>(std::stoul(hex.substr(i * 2, 2), nullptr, 16));
  }
  return k;
}

// X25519(private, peer_public) through OpenSSL's EVP_PKEY_derive: independent of keys.cpp.
KeyBytes agree(const Secret& private_key, const std::string& peer_public) {
  KeyBytes priv = *decode_key(private_key.reveal());
  KeyBytes pub = *decode_key(peer_public);
  EVP_PKEY* me = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, priv.data(), priv.size());
  EVP_PKEY* peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, pub.data(), pub.size());
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(me, nullptr);
  KeyBytes out{};
  size_t len = out.size();
  EXPECT_EQ(EVP_PKEY_derive_init(ctx), 1);
  EXPECT_EQ(EVP_PKEY_derive_set_peer(ctx, peer), 1);
  EXPECT_EQ(EVP_PKEY_derive(ctx, out.data(), &len), 1);
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(peer);
  EVP_PKEY_free(me);
  return out;
}

TEST(VpnKeys, Rfc7748VectorsGiveTheirPublicKeys) {
  // RFC 7748 section 6.1 (Alice and Bob).
  Secret alice(encode_key(from_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")));
  Secret bob(encode_key(from_hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")));
  EXPECT_EQ(public_key_of(alice), encode_key(from_hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")));
  EXPECT_EQ(public_key_of(bob), encode_key(from_hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")));
}

TEST(VpnKeys, GeneratedKeysAreWireGuardShaped) {
  for (int i = 0; i < 20; ++i) {
    KeyPair kp = generate_key_pair();
    ASSERT_EQ(kp.private_key.reveal().size(), 44u);
    ASSERT_EQ(kp.public_key.size(), 44u);
    EXPECT_EQ(kp.private_key.reveal().back(), '=');
    auto k = decode_key(kp.private_key.reveal());
    ASSERT_TRUE(k);
    // Clamped as `wg genkey` does.
    EXPECT_EQ((*k)[0] & 7, 0);
    EXPECT_EQ((*k)[31] & 128, 0);
    EXPECT_EQ((*k)[31] & 64, 64);
    EXPECT_EQ(public_key_of(kp.private_key), kp.public_key);
  }
}

TEST(VpnKeys, PublicKeyMatchesOpenSslAgreement) {
  // Both sides of an X25519 agreement only meet when each public key belongs to its private key.
  KeyPair a = generate_key_pair();
  KeyPair b = generate_key_pair();
  EXPECT_EQ(agree(a.private_key, b.public_key), agree(b.private_key, a.public_key));
  KeyPair c = generate_key_pair();
  EXPECT_NE(agree(a.private_key, b.public_key), agree(a.private_key, c.public_key));
}

TEST(VpnKeys, KeysAreFreshEachTime) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    seen.insert(generate_key_pair().private_key.reveal());
    seen.insert(generate_preshared_key().reveal());
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(generate_preshared_key().reveal().size(), 44u);
}

TEST(VpnKeys, ClampMatchesWireGuard) {
  KeyBytes k;
  k.fill(0xff);
  clamp(k);
  EXPECT_EQ(k[0], 0xf8);
  EXPECT_EQ(k[31], 0x7f);
  k.fill(0);
  clamp(k);
  EXPECT_EQ(k[31], 0x40);
}

TEST(VpnKeys, DecodeRefusesWhatIsNotAKey) {
  std::string good = generate_key_pair().public_key;
  EXPECT_TRUE(decode_key(good));
  EXPECT_FALSE(decode_key(good.substr(0, 43)));
  EXPECT_FALSE(decode_key(good + "A"));
  EXPECT_FALSE(decode_key(std::string(43, 'A') + "!"));
  EXPECT_FALSE(decode_key(std::string(42, 'A') + "*="));
  EXPECT_FALSE(decode_key(std::string(42, 'A') + "B="));  // non-zero padding bits
  EXPECT_FALSE(decode_key(""));
  EXPECT_THROW(public_key_of(Secret("not a key")), Error);
}

TEST(VpnKeys, WgPubkeyAgreesWhenInstalled) {
  if (std::system("command -v wg >/dev/null 2>&1") != 0) {
    BW_SKIP_OR_FAIL_IN_CI("wg (wireguard-tools) is not installed");
  }
  KeyPair kp = generate_key_pair();
  std::string cmd = "printf '%s\\n' '" + kp.private_key.reveal() + "' | wg pubkey";
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  ASSERT_TRUE(p);
  char buf[128] = {};
  ASSERT_NE(fgets(buf, sizeof buf, p.get()), nullptr);
  std::string got(buf);
  while (!got.empty() && (got.back() == '\n' || got.back() == '\r')) {
    got.pop_back();
  }
  EXPECT_EQ(got, kp.public_key);
}

}  // namespace
}  // namespace bw::vpn
