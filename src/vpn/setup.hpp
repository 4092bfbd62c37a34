// `boxwarden vpn setup` without the terminal: checks the request against the box and this
// computer, and builds what the command writes (the WireGuard configurations) and the
// one change it makes on the box (a UDP forward to the server), as a plan the executor
// applies with a backup, verification and rollback like `fix`.
//
// A box with its own VPN server (Capability::vpn_server) needs no forward and no server on
// the LAN: server_choice() makes it the default there, and box_server_plan() starts the
// box's server and adds one user per peer; the box gives each peer's configuration.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/router_state.hpp"
#include "plan/action.hpp"
#include "vendors/vendor.hpp"
#include "vpn/local_net.hpp"
#include "vpn/wg_config.hpp"

namespace bw::vpn {

inline constexpr uint16_t k_default_port = 51820;
inline constexpr const char* k_forward_description = "boxwarden WireGuard";

// What the person asked for (command-line options).
struct SetupRequest {
  std::vector<std::string> peers;  // names, at least one
  std::string out_dir;
  std::string host;                // LAN address of the server; "" = this computer
  uint16_t port = k_default_port;  // the server's UDP port, and the one forwarded on the box
  std::string subnet;              // tunnel subnet (CIDR); "" = chosen
  std::string endpoint;            // what clients connect to; "" = the box's external address
  bool preshared_keys = false;
};

// Checks what needs no box: peer names (valid, distinct), port, --subnet and --host syntax.
// Throws Error(usage) with a one-line message that says what to do.
void check_request(const SetupRequest& r);

// Where the server runs.
enum class ServerSide { lan_host, box };
// `wanted`: --server ("auto", "box" or "lan"). auto is the box when it has a VPN server of its
// own that was read, and no --host names a LAN computer. Throws Error(usage) for "box" on a
// box without one, and for --host with "box".
ServerSide server_choice(Capabilities box, const RouterState& state, const std::string& wanted,
                         const SetupRequest& r);

// On the box's own server: start it when it is stopped (on --port when given, else on the port
// the box chose), then one user per peer. Throws Error(usage) when a peer's name is taken.
std::vector<Action> box_server_plan(const SetupRequest& r, const VpnServer& server, bool port_given);

// The server's LAN address: --host, or the address this computer uses towards the box.
// Throws Error(usage) when neither gives a usable LAN address.
uint32_t choose_host(const SetupRequest& r, const std::string& box_address, std::optional<uint32_t> source,
                     bool loopback_box);

// The LAN the peers reach: the network of this computer's interface that holds `host`, or
// the /24 around `host` when it is another computer.
Ipv4Net lan_of(uint32_t host, const std::vector<LocalAddress>& local);

// The tunnel subnet: --subnet when it fits, else a chosen one. Throws Error(usage) when
// --subnet overlaps the LAN or a network of this computer, or when none is free.
Ipv4Net choose_subnet(const SetupRequest& r, const Ipv4Net& lan, const std::vector<Ipv4Net>& local);

// The address clients connect to: --endpoint, else the box's external address. Throws
// Error(unreachable) when the box did not tell it. `warning` is set when the address is
// not public (carrier-grade NAT, another router in front): the forward alone will not work.
std::string choose_endpoint(const SetupRequest& r, const RouterState& state, std::string& warning);

// The forward the setup needs: UDP port -> host:port, permanent, any source.
PortForward wireguard_forward(const std::string& host, uint16_t port);

// How the box's forwards stand for that port.
enum class ForwardStatus { missing, already_there };
// Throws Error(usage) when the UDP port is already forwarded elsewhere (another host, or
// another port on this host), or is inside a forwarded range: one line naming the rule.
ForwardStatus check_forward(const RouterState& state, const PortForward& wanted);

// The plan: one automatic add_port_forward action (empty when already there). Throws
// Error(unsupported) when no plugin of this box can add a forward.
std::vector<Action> forward_plan(const PortForward& wanted, ForwardStatus status, Capabilities box);

// Keys and addresses: server at the subnet's first address, peers after it, in order.
WgSetup build_setup(const SetupRequest& r, const Ipv4Net& tunnel, const Ipv4Net& lan, uint32_t host,
                    const std::string& endpoint);

}  // namespace bw::vpn
