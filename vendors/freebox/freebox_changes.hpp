// Changing a Freebox: one function per change, each verified by reading the box again
// (freebox.md 5-8). Internal to the plugin; takes the ApiClient and plain data.
//
// Contract:
// - Every function throws Error(refused) when the box refuses the change or when the
//   re-read does not show it, Error(auth) with the Freebox OS place when the app lacks the
//   "settings" permission (checked before anything is sent).
// - Each is idempotent: a change already in place is verified and not sent again.
// - Under --dry-run (api.rehearsing()) the same functions run; their changes are written down,
//   not sent, and the re-read that checks them is skipped.
// - A forward is only deleted by its id, and only when the rule listed under that id is still
//   the one that was read (same ports, protocol, LAN host and port): else Error(conflict)
//   and nothing is sent.
#pragma once

#include <optional>
#include <string_view>

#include "core/router_state.hpp"
#include "vendors/freebox/freebox_api.hpp"

namespace bw::freebox {

// Deletes a static forward (DELETE fw/redir/{id}) or a UPnP mapping (DELETE upnpigd/redir/{id}).
void delete_forward(ApiClient& api, const PortForward& f);
// Recreates `f` exactly with POST fw/redir/ (forward_create_body); it gets a new id.
void add_forward(ApiClient& api, const PortForward& f);
// PUT fw/dmz/ {"enabled":false}.
void disable_dmz(ApiClient& api);
// PUT fw/dmz/ with the saved enabled and ip.
void restore_dmz(ApiClient& api, const Dmz& dmz);
// PUT upnpigd/config/ {"enabled":on}.
void set_upnp(ApiClient& api, bool on);
// PUT connection/config/ {"remote_access":on}, with `port` (remote_access_port) when switching
// on and one is known.
void set_remote_access(ApiClient& api, bool on, std::optional<uint16_t> port);
// PUT connection/ipv6/config/ {"ipv6_firewall":on} (the other IPv6 settings are left alone).
void set_ipv6_firewall(ApiClient& api, bool on);
// What restore-ipv6-firewall puts back, from Change::ipv6_level (the firewall as read before
// the fix): the Freebox has no levels, so "off" (or "", or "0"/"false") is off and "on" is on.
// Another word (a level of another box, a hand-edited backup) is Error(unsupported).
bool ipv6_firewall_saved_on(std::string_view level);


}  // namespace bw::freebox
