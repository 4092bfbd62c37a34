// The Freebox's own WireGuard server (freebox.md 10, marked [UNSTABLE] by Free): read it,
// start or stop it, add or delete its users, download a user's configuration. Internal to
// the plugin; every change needs the "settings" permission and is checked by reading again
// (not under --dry-run).
#pragma once

#include <optional>
#include <string>

#include "core/router_state.hpp"
#include "core/secret.hpp"
#include "vendors/freebox/freebox_api.hpp"

namespace bw::freebox {

// nullopt when the box lists no "wireguard" server (older models, or vpn/ unreadable).
std::optional<VpnServer> read_vpn_server(ApiClient& api);
// PUT vpn/wireguard/config/ {"enabled":on[,"port":port]} (port 0: the box's).
void set_vpn_server(ApiClient& api, bool on, uint16_t port);
// POST vpn/user/ a WireGuard user with a free address of the server's pool and a preshared
// key; nothing when a user of that name exists already as a WireGuard user.
void add_vpn_user(ApiClient& api, const std::string& login);
// DELETE vpn/user/{login}; nothing when it is gone.
void delete_vpn_user(ApiClient& api, const std::string& login);
// GET vpn/download_config/wireguard/{login}/plain: the wg-quick file (a secret). Each download
// makes the box issue a new key: the previous file stops working.
Secret vpn_user_config(ApiClient& api, const std::string& login);

// The first address of [start, end] not in `taken` (dotted IPv4); "" when none is free. Pure.
std::string free_pool_address(const std::string& start, const std::string& end, const json& reservations);

}  // namespace bw::freebox
