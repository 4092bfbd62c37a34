// Changing a Livebox's IPv6 side (livebox.md 6.3, 6.5): the IPv6 firewall level and the
// pinholes, each change verified by reading the box again. Internal to the plugin.
//
// Contract (as livebox_changes.hpp):
// - Error(refused) when the box refuses or the re-read does not show the change,
//   Error(unsupported) when the change lacks what it needs, Error(conflict) when the pinhole
//   now opens another machine or port than the one read (nothing sent).
// - Idempotent: what is already in place is verified and not sent again.
// - A pinhole is only ever deleted by its exact id and origin (send_delete_pinhole()): with
//   an origin and no id the box would delete every pinhole of that origin.
// - Every request that changes the box is marked WsClient::Change::yes (--dry-run).
#pragma once

#include <string>

#include "core/router_state.hpp"
#include "vendors/livebox/livebox_ws.hpp"

namespace bw::livebox {

// Firewall:getFirewallIPv6Level; throws Error(protocol) when unreadable.
std::string read_ipv6_level(WsClient& ws);
// Firewall:getPinhole {} status (an object keyed by id); throws Error(protocol).
json list_pinhole_rules(WsClient& ws);

// Raises the IPv6 firewall to the factory default ("Medium") when it is at "Low"; a level
// that already filters (Medium, High, Custom) is left as it is.
void enable_ipv6_firewall(WsClient& ws);
// Sets the IPv6 level back to `level` exactly (the level read before the fix).
void set_ipv6_level(WsClient& ws, const std::string& level);
// Closes `p` (one protocol of a rule): deletes the rule, or re-sets it without that protocol
// when it also carries another that stays open. Then commit.
void delete_pinhole(WsClient& ws, const Pinhole& p);
// Recreates `p` from its saved rule (vendor_data), or from its fields. A pinhole the box's
// IGD had opened (origin upnp) comes back as a web UI one: the box cannot have its IGD open
// it for another machine.
void add_pinhole(WsClient& ws, const Pinhole& p);

}  // namespace bw::livebox
