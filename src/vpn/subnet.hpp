// IPv4 networks for the VPN: the LAN the tunnel must reach, and a tunnel subnet chosen so
// that it collides with nothing this computer or the LAN already uses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bw::vpn {

struct Ipv4Net {
  uint32_t address = 0;  // host byte order; the network address (host bits cleared)
  int prefix = 0;        // 0..32

  uint32_t mask() const { return prefix == 0 ? 0 : ~uint32_t(0) << (32 - prefix); }
  bool contains(uint32_t ip) const { return (ip & mask()) == address; }
  bool overlaps(const Ipv4Net& other) const;
  // The n-th address of the network (1 = first host), e.g. 10.8.0.0/24 host(1) = 10.8.0.1.
  uint32_t host(uint32_t n) const { return address + n; }
  uint32_t host_count() const;  // usable addresses (network and broadcast excluded)
  std::string to_string() const;  // "192.168.1.0/24"
  bool operator==(const Ipv4Net&) const = default;
};

std::optional<uint32_t> parse_ipv4_address(std::string_view text);
std::string format_ipv4(uint32_t address);

// "A.B.C.D/N" (host bits must be zero: "10.8.0.1/24" is refused, to catch typos);
// nullopt when malformed.
std::optional<Ipv4Net> parse_cidr(std::string_view text);

// The network of `address` with `prefix` (host bits cleared).
Ipv4Net network_of(uint32_t address, int prefix);

// Picks a tunnel subnet (a /24) that overlaps none of `avoid` (the LAN, and every network
// this computer has a route or an address in). The candidates are fixed and rarely used
// by home boxes (10.253.N.0/24 first), so two runs on one LAN pick the same. nullopt when
// every candidate is taken.
std::optional<Ipv4Net> choose_tunnel_subnet(const std::vector<Ipv4Net>& avoid);

// Why `subnet` cannot be a tunnel subnet (overlaps the LAN, too small, ...), or "" when it can.
std::string tunnel_subnet_problem(const Ipv4Net& subnet, const Ipv4Net& lan, const std::vector<Ipv4Net>& local);

}  // namespace bw::vpn
