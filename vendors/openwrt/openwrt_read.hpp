// Reading an OpenWrt router into a RouterState through ubus (openwrt-ubus.md 3-9). Internal to
// the plugin.
//
// Contract:
// - UCI firewall redirects from the wan zone are the static forwards (static_forwards_known
//   once `uci get firewall` answered); one without src_dport is the exposed host (dmz, or
//   ipv6_exposed_host for IPv6); rules wan -> lan ACCEPT for IPv6 are pinholes (read only); the
//   wan zone's forward policy ACCEPT is an IPv6 firewall off; rules wan -> router ACCEPT that
//   open an admin port (uhttpd's, dropbear's: 22/80/443 by default) and the wan zone's input
//   ACCEPT are remote administration; upnpd.config.enabled is the UPnP switch.
// - UPnP mappings are left to the generic IGD plugin (the real miniupnpd): the lease file read
//   through file.read, when the ACL allows it, only counts them in vendor_data.openwrt.
// - A read the router refused leaves its field unknown, the reason in vendor_data.openwrt.read_errors.
// - vendor_data.openwrt: transport "http", admin_ports, wan_input, wan_forward, wireguard
//   (names, listen ports, peer descriptions), upnp_secure_mode, unrepresented_forwards. Never a key.
#pragma once

#include "core/router_state.hpp"
#include "vendors/openwrt/openwrt_api.hpp"

namespace bw::openwrt {

RouterState read_router_state(Ubus& api);

std::vector<Section> read_config(Ubus& api, const std::string& config);
// Remote administration as the sections say it (admin ports from uhttpd/dropbear).
bool remote_admin_open(const Firewall& fw, const std::vector<uint16_t>& ports);
bool opens_admin(const InputRule& r, const std::vector<uint16_t>& ports);
std::vector<uint16_t> read_admin_ports(Ubus& api);

void add_menus(RouterState& s);

}  // namespace bw::openwrt
