// WireGuard keys made with OpenSSL (no `wg genkey`): Curve25519 (X25519) key pairs and
// preshared keys, as 32 bytes written in standard base64 (44 characters, one '=' of
// padding), which is what wg(8), wg-quick(8) and the WireGuard apps read.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/secret.hpp"

namespace bw::vpn {

using KeyBytes = std::array<uint8_t, 32>;

struct KeyPair {
  Secret private_key;      // base64; printed only with --show-secrets
  std::string public_key;  // base64
};

// A new key pair from the operating system's random source (OpenSSL RAND_priv_bytes).
// The private key is clamped as `wg genkey` does (see clamp()). Throws Error on failure.
KeyPair generate_key_pair();

// A new 32-byte random preshared key (the optional extra symmetric layer), base64.
Secret generate_preshared_key();

// WireGuard's clamping of a Curve25519 private scalar: clear the 3 low bits of the first
// byte, clear the top bit and set the second-highest bit of the last byte.
void clamp(KeyBytes& key);

// The public key of a base64 private key (X25519 with the base point, through OpenSSL's
// EVP interface). Throws Error(usage) when the text is not a base64 32-byte key.
std::string public_key_of(const Secret& private_key);

// Standard base64 of 32 bytes (44 characters) and back; decode returns nullopt for
// anything that is not exactly a base64 32-byte key.
std::string encode_key(const KeyBytes& key);
std::optional<KeyBytes> decode_key(std::string_view text);

}  // namespace bw::vpn
