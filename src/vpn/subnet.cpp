#include "vpn/subnet.hpp"

#include <charconv>

namespace bw::vpn {

bool Ipv4Net::overlaps(const Ipv4Net& other) const {
  int p = prefix < other.prefix ? prefix : other.prefix;
  Ipv4Net wider = network_of(address, p);
  return wider.contains(other.address);
}

uint32_t Ipv4Net::host_count() const {
  if (prefix >= 31) {
    return 0;
  }
  return (uint32_t(1) << (32 - prefix)) - 2;
}

std::string Ipv4Net::to_string() const {
  return format_ipv4(address) + "/" + std::to_string(prefix);
}

std::optional<uint32_t> parse_ipv4_address(std::string_view text) {
  uint32_t out = 0;
  for (int i = 0; i < 4; ++i) {
    size_t end = i < 3 ? text.find('.') : text.size();
    if (end == std::string_view::npos || end == 0 || end > 3) {
      return std::nullopt;
    }
    std::string_view part = text.substr(0, end);
    if (part.size() > 1 && part[0] == '0') {
      return std::nullopt;  // "010" is octal to some parsers: refuse it
    }
    unsigned v = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (ec != std::errc() || p != part.data() + part.size() || v > 255) {
      return std::nullopt;
    }
    out = (out << 8) | v;
    text.remove_prefix(i < 3 ? end + 1 : end);
  }
  return text.empty() ? std::optional<uint32_t>(out) : std::nullopt;
}

std::string format_ipv4(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." + std::to_string((a >> 8) & 255) +
         "." + std::to_string(a & 255);
}

Ipv4Net network_of(uint32_t address, int prefix) {
  Ipv4Net n;
  n.prefix = prefix;
  n.address = address & n.mask();
  return n;
}

std::optional<Ipv4Net> parse_cidr(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return std::nullopt;
  }
  auto addr = parse_ipv4_address(text.substr(0, slash));
  std::string_view len = text.substr(slash + 1);
  int prefix = -1;
  auto [p, ec] = std::from_chars(len.data(), len.data() + len.size(), prefix);
  if (!addr || len.empty() || ec != std::errc() || p != len.data() + len.size() || prefix < 0 || prefix > 32) {
    return std::nullopt;
  }
  Ipv4Net n = network_of(*addr, prefix);
  if (n.address != *addr) {
    return std::nullopt;
  }
  return n;
}

std::string tunnel_subnet_problem(const Ipv4Net& subnet, const Ipv4Net& lan, const std::vector<Ipv4Net>& local) {
  if (subnet.overlaps(lan)) {
    return subnet.to_string() + " overlaps the LAN " + lan.to_string();
  }
  if (subnet.prefix > 30) {
    return subnet.to_string() + " is too small: the server and each peer need an address (use a /24)";
  }
  if (subnet.prefix < 8) {
    return subnet.to_string() + " is far too large for a tunnel (use a /24)";
  }
  for (const auto& n : local) {
    // The default route (0.0.0.0/0) overlaps everything and says nothing about collisions.
    if (n.prefix > 0 && subnet.overlaps(n)) {
      return subnet.to_string() + " overlaps " + n.to_string() + ", a network this computer already uses";
    }
  }
  return "";
}

std::optional<Ipv4Net> choose_tunnel_subnet(const std::vector<Ipv4Net>& avoid) {
  std::vector<Ipv4Net> candidates;
  // 10.253.x/24 and 172.29.x/24: far from the 192.168.0-1.x / 10.0.0.x defaults of ISP
  // boxes, and from Docker's 172.17-172.20 bridges.
  for (uint32_t third : {0u, 1u, 2u, 3u, 42u, 99u, 200u}) {
    candidates.push_back(network_of((10u << 24) | (253u << 16) | (third << 8), 24));
  }
  for (uint32_t third : {0u, 1u, 2u, 3u}) {
    candidates.push_back(network_of((172u << 24) | (29u << 16) | (third << 8), 24));
  }
  for (uint32_t third : {253u, 254u}) {
    candidates.push_back(network_of((192u << 24) | (168u << 16) | (third << 8), 24));
  }
  for (const auto& c : candidates) {
    bool free = true;
    for (const auto& n : avoid) {
      if (n.prefix > 0 && c.overlaps(n)) {
        free = false;
        break;
      }
    }
    if (free) {
      return c;
    }
  }
  return std::nullopt;
}

}  // namespace bw::vpn
