// Text helpers for the rules; see text_util.hpp.
#include "rules/text_util.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace bw {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == ':' || c == '_';
}

}  // namespace

std::string closest_match(std::string_view word, std::span<const std::string_view> candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(1, word.size() / 3) + 1;
  for (std::string_view candidate : candidates) {
    std::size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

std::string host_for_title(std::string_view host) {
  if (host.empty() || host.size() > 64 || !std::all_of(host.begin(), host.end(), is_host_char)) {
    return "an unnamed device";
  }
  return std::string(host);
}

std::optional<std::string> canonical_ip(std::string_view text) {
  std::string copy(text);
  unsigned char raw[sizeof(in6_addr)];
  char out[INET6_ADDRSTRLEN];
  for (int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, copy.c_str(), raw) == 1 && inet_ntop(family, raw, out, sizeof out) != nullptr) {
      return std::string(out);
    }
  }
  return std::nullopt;
}

std::optional<uint32_t> parse_ipv4(std::string_view text) {
  std::string copy(text);
  in_addr address{};
  if (inet_pton(AF_INET, copy.c_str(), &address) != 1) {
    return std::nullopt;
  }
  return ntohl(address.s_addr);
}

bool is_rfc1918(uint32_t address) {
  return (address >> 24) == 10 || (address >> 20) == ((172u << 4) | 1u) ||
         (address >> 16) == ((192u << 8) | 168u);
}

}  // namespace bw
