// `vpn setup` when the box runs the VPN server itself (see vpn_box.cpp).
#pragma once

#include <string>
#include <vector>

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

// Shared by both sides of vpn setup. The requests a dry run would send, then that nothing was
// changed.
void print_would_send(App& app, const std::vector<std::string>& requests);
// Whether to go ahead: --yes, or the person's yes to `question`; Error(usage) without a
// terminal to ask. A no is said ("nothing was changed").
bool go_ahead(App& app, const char* question);

// `state`: the box as just read; it has a vpn_server.
ExitCode setup_on_box(App& app, Box& box, const RouterState& state, const BoxVpnRequest& r);

}  // namespace bw::cli
