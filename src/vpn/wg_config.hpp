// WireGuard configuration files in wg-quick format (wg-quick(8)): one for the server on
// the LAN, one per client peer (phone, laptop). The text only uses keys every WireGuard
// implementation reads (wg-quick, the Windows, macOS, Android and iOS apps): no PostUp
// hooks are active, so the apps import the files unchanged and `wg-quick strip` leaves
// what `wg setconf` reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vpn/keys.hpp"
#include "vpn/subnet.hpp"

namespace bw::vpn {

struct WgServer {
  KeyPair keys;
  uint32_t tunnel_address = 0;  // e.g. 10.253.0.1
  uint16_t listen_port = 51820;
  std::string lan_host;         // the server's LAN address (e.g. 192.168.1.10)
};

struct WgPeer {
  std::string name;             // "doctor": file name DIR/doctor.conf
  KeyPair keys;
  std::optional<Secret> preshared_key;
  uint32_t tunnel_address = 0;  // e.g. 10.253.0.2
};

struct WgSetup {
  Ipv4Net tunnel;               // the tunnel subnet (10.253.0.0/24)
  Ipv4Net lan;                  // the LAN the peers reach (192.168.1.0/24)
  std::string endpoint_host;    // the box's external address (or --endpoint)
  uint16_t endpoint_port = 51820;  // the port forwarded on the box
  WgServer server;
  std::vector<WgPeer> peers;
};

// Whether private and preshared keys are written out (files) or replaced by "(hidden)"
// (previews on a terminal, --dry-run).
enum class Keys { reveal, hide };

// Seconds between keepalives a client sends, so the box's NAT keeps the path open.
inline constexpr int k_keepalive_seconds = 25;

std::string server_config(const WgSetup& setup, Keys keys);
std::string client_config(const WgSetup& setup, const WgPeer& peer, Keys keys);

// "host:port", with brackets for an IPv6 literal.
std::string endpoint_text(const std::string& host, uint16_t port);

// A peer name makes a file name (and `wg-quick up NAME.conf` an interface name) and a
// config comment: 1-15 of [A-Za-z0-9_.-], not
// starting with '.' or '-', and not "server". Returns the problem, or "" when valid.
std::string peer_name_problem(const std::string& name);

}  // namespace bw::vpn
