#include "core/box_id.hpp"

#include <openssl/sha.h>

namespace bw {

std::optional<std::string> box_id(std::string_view identity) {
  if (identity.empty()) {
    return std::nullopt;
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(identity.data()), identity.size(), digest);
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string id = "sha256:";
  for (size_t i = 0; i < 16; ++i) {  // 128 bits: no two boxes of a fleet collide
    id += k_hex[digest[i] >> 4];
    id += k_hex[digest[i] & 0xf];
  }
  return id;
}

}  // namespace bw
