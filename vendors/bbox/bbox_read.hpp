// Reading a Bbox into a RouterState (bbox-sfr.md A.4-A.10). Internal to the plugin.
//
// Contract:
// - nat/rules are the static forwards (static_forwards_known only when they were listed),
//   upnp/igd/rules the UPnP mappings; a rule of IP version IPv6 or with unreadable ports is
//   named in vendor_data.bbox.unrepresented_forwards, never silently dropped.
// - nat/dmz, upnp/igd (else services.upnp.igd), services.remote.admin, firewall/v6/rules map
//   to RouterState fields; a read the box refused leaves its field unknown, its reason in
//   vendor_data.bbox.read_errors.
// - vendor_data.bbox: transport "http" and its warning, remote_admin (what restores it),
//   nat_enabled, proxywol, wan_port_range. Never the serial, the cookie or a btoken.
// - vendor_data.menus: where each setting is in the Bbox's own pages (plan/planner.hpp).
#pragma once

#include "core/router_state.hpp"
#include "vendors/bbox/bbox_api.hpp"

namespace bw::bbox {

RouterState read_router_state(ApiClient& api, const std::optional<Device>& anonymous);

// The reads the changes check their effect with.
json read_nat(ApiClient& api);        // nat/rules, unwrapped
json read_dmz(ApiClient& api);        // nat/dmz
std::optional<bool> read_upnp(ApiClient& api);
Services read_services(ApiClient& api);

// The Bbox's menus (its web interface, http://mabbox.bytel.fr), in vendor_data.menus (plan/planner.hpp).
void add_menus(RouterState& s);

}  // namespace bw::bbox
