// Reading a Freebox into a RouterState (freebox.md 5-9). Internal to the plugin.
//
// Contract:
// - Static forwards (fw/redir/) and UPnP mappings (upnpigd/redir/) are the port forwards;
//   failing to list the static ones throws (an empty list would read as "nothing open"); a
//   UPnP listing refused because UPnP is off ("disabled") is an empty list.
// - The DMZ, the UPnP switch, remote access, the IPv6 firewall and the box's own WAN services
//   map to RouterState fields; a field whose call failed stays unknown and the box's error is
//   kept in vendor_data.freebox.read_errors.
// - IPv6: ipv6_enabled and ipv6_firewall_enabled from connection/ipv6/config/ (an on/off
//   switch: ipv6_firewall_level stays ""); pinholes_known with no pinhole, since the Freebox
//   API has no per-host IPv6 rule to list (freebox.md 5 and 8: forwards are IPv4 only). What a
//   LAN program opens through the box's UPnP IGD is the generic IGD plugin's to read.
// - vendor_data.freebox: transport ("https" or "http", with a warning for http),
//   permissions, the WAN port range, remote access settings (to restore them exactly), the
//   box's id (a hash of its uid). Never the uid, the api_domain, the serial or a token.
#pragma once

#include <string>

#include "core/router_state.hpp"
#include "vendors/freebox/freebox_api.hpp"

namespace bw::freebox {

RouterState read_router_state(ApiClient& api);

// The listings the changes re-read (each throws Error(protocol) when unreadable).
json list_forward_rules(ApiClient& api);    // fw/redir/ result (an array)
json list_upnp_mappings(ApiClient& api);    // upnpigd/redir/ result (an array; empty when UPnP is off)
json read_dmz(ApiClient& api);              // fw/dmz/ result
json read_upnp_config(ApiClient& api);      // upnpigd/config/ result
json read_connection_config(ApiClient& api);  // connection/config/ result
json read_ipv6_config(ApiClient& api);        // connection/ipv6/config/ result

}  // namespace bw::freebox
