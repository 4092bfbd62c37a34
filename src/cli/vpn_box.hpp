// `vpn setup` when the box runs the VPN server itself (see vpn_box.cpp).
#pragma once

#include "cli/command.hpp"
#include "core/router_state.hpp"
#include "vpn/setup.hpp"

namespace bw {
class Box;
}

namespace bw::cli {

class App;

struct BoxVpnRequest {
  vpn::SetupRequest request;
  bool port_given = false;  // --port was on the command line
};

// `state`: the box as just read; it has a vpn_server.
ExitCode setup_on_box(App& app, Box& box, const RouterState& state, const BoxVpnRequest& r);

}  // namespace bw::cli
