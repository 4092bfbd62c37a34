// Network facts read from the OS, behind an interface so tests never touch the real host.
#pragma once

#include <optional>
#include <string>

namespace bw {

// The IPv4 default gateway from the routing table (/proc/net/route), or nullopt.
std::optional<std::string> default_gateway_ipv4(const std::string& route_table = "/proc/net/route");

// Parses "HOST[:PORT]"; throws Error(usage) for anything but an IPv4 literal or a name
// and a port 1-65535.
struct HostPort {
  std::string host;
  uint16_t port = 0;
};
HostPort parse_host_port(const std::string& text);

// True for an IPv4 literal in 10/8, 172.16/12, 192.168/16 (a LAN address).
bool is_private_ipv4(const std::string& address);
bool is_ipv4_literal(const std::string& address);

// Safety net for tests: when BOXWARDEN_NETNS names a network namespace, refuse (Error
// unreachable) unless this process runs inside it. Called before any network I/O.
// BOXWARDEN_NETNS=@loopback instead allows only 127.0.0.0/8 targets and no multicast
// (tests against emulators on the loopback).
void check_network_namespace();
bool loopback_only();
bool is_loopback_ipv4(const std::string& address);

}  // namespace bw
