// The vocabulary of changes: everything a plugin can be asked to do to a box, in words that
// name no vendor. The planner chooses changes, the executor sends them one at a time to the
// plugin that can make them and checks their effect on the next read (RouterState), rollback
// sends their inverses. A plugin maps each kind to its own API; a kind it cannot make is
// absent from its capabilities, and the planner turns it into a manual step.
//
// The vocabulary (name: what it does, inverse):
//   delete-port-forward   remove a forward or UPnP mapping (Change::forward)  restore-port-forward
//   restore-port-forward  put a saved forward back exactly                    delete-port-forward
//   disable-dmz           switch the DMZ off (Change::dmz: the DMZ as saved)  restore-dmz
//   restore-dmz           put the saved DMZ back exactly                      disable-dmz
//   disable-upnp          switch the UPnP IGD service off                     enable-upnp
//   enable-upnp                                                               disable-upnp
//   disable-remote-admin  switch off administration from the Internet         enable-remote-admin
//   enable-remote-admin   (a plugin restores its saved port and settings)     disable-remote-admin
//   enable-vpn-server     start the box's own VPN server (Change::vpn: the   disable-vpn-server
//                         port wanted, 0 = the box's)
//   disable-vpn-server    stop it (Change::vpn: as saved)                     enable-vpn-server
//   add-vpn-peer          create a user of that server (Change::peer)         delete-vpn-peer
//   delete-vpn-peer                                                           add-vpn-peer
//   enable-ipv6-firewall  switch the IPv6 firewall on, or raise it to the    restore-ipv6-firewall
//                         box's safe level (Change::ipv6_level: as read)
//   restore-ipv6-firewall put back the level read before (ipv6_level; a      enable-ipv6-firewall
//                         box without levels: off)
//   delete-ipv6-pinhole   remove an IPv6 pinhole (Change::pinhole)          restore-ipv6-pinhole
//   restore-ipv6-pinhole  put a saved pinhole back exactly                   delete-ipv6-pinhole
//   manual                a person must do it (no inverse)
// A new kind is a row of k_changes (change.cpp), a RouterState field it acts on, and a case
// in the plugins that make it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/router_state.hpp"

namespace bw {

// What a plugin can read and change. The planner turns what it cannot change into a manual
// step; the report turns what it cannot read into "unknown".
enum class Capability : uint32_t {
  read_mappings = 1u << 0,        // UPnP-created mappings
  read_static_forwards = 1u << 1, // forwards made in the box's web UI
  delete_forward = 1u << 2,
  add_forward = 1u << 3,          // needed to restore a deleted forward
  read_dmz = 1u << 4,
  set_dmz = 1u << 5,
  read_upnp_switch = 1u << 6,
  set_upnp_switch = 1u << 7,
  read_remote_admin = 1u << 8,
  set_remote_admin = 1u << 9,
  vpn_server = 1u << 10,          // the box runs its own VPN server
  generic_igd = 1u << 11,         // speaks standard UPnP IGD to any box: merged with a vendor's view
  pairing = 1u << 12,             // the box authorizes an app once, by a press on the box itself
  read_ipv6_firewall = 1u << 13,
  set_ipv6_firewall = 1u << 14,
  read_pinholes = 1u << 15,       // IPv6 pinholes
  delete_pinhole = 1u << 16,
  add_pinhole = 1u << 17,         // needed to restore a deleted pinhole
};
using Capabilities = uint32_t;
constexpr bool has(Capabilities set, Capability c) {
  return (set & static_cast<uint32_t>(c)) != 0;
}
constexpr Capabilities operator|(Capability a, Capability b) {
  return static_cast<uint32_t>(a) | static_cast<uint32_t>(b);
}
constexpr Capabilities operator|(Capabilities a, Capability b) {
  return a | static_cast<uint32_t>(b);
}
std::vector<std::string> capability_names(Capabilities set);

enum class ChangeKind {
  delete_port_forward,
  add_port_forward,     // inverse of delete (rollback)
  disable_dmz,
  restore_dmz,          // inverse of disable_dmz
  disable_upnp,
  enable_upnp,          // inverse of disable_upnp
  disable_remote_admin,
  enable_remote_admin,  // inverse of disable_remote_admin
  enable_vpn_server,    // the box's own VPN server (vpn setup on the box)
  disable_vpn_server,   // inverse of enable_vpn_server
  add_vpn_peer,
  delete_vpn_peer,      // inverse of add_vpn_peer
  enable_ipv6_firewall,
  restore_ipv6_firewall,  // inverse of enable_ipv6_firewall
  delete_pinhole,
  add_pinhole,          // inverse of delete_pinhole
  manual,               // the plugin cannot do it: instructions for a person
};
std::string_view to_string(ChangeKind k);  // "delete-port-forward", ...
std::optional<ChangeKind> change_kind_from_name(std::string_view name);
ChangeKind inverse(ChangeKind k);          // manual: manual
Capability capability_for(ChangeKind k);   // manual: a capability no plugin has for it
bool changes_forward(ChangeKind k);        // acts on Change::forward
bool changes_pinhole(ChangeKind k);        // acts on Change::pinhole

// One change for a plugin to make.
struct Change {
  ChangeKind kind = ChangeKind::manual;
  std::optional<PortForward> forward;  // the forward as read (delete) or saved (restore)
  std::optional<Dmz> dmz;              // the DMZ as saved before it was switched off
  std::optional<VpnServer> vpn;        // the VPN server wanted (enable) or as saved (disable)
  std::string peer;                    // add/delete-vpn-peer: the user's name
  std::optional<Pinhole> pinhole;      // the pinhole as read (delete) or saved (restore)
  std::string ipv6_level;              // the IPv6 firewall's level as read before the fix
};

// True when `state` shows the effect of `c` (e.g. the forward is gone).
bool effect_visible(const Change& c, const RouterState& state);
// True when `state` shows what `c` changed as it was before (inverse verification).
bool original_visible(const Change& c, const RouterState& state);
// `state` as it reads once what `c` changed is back as before (rollback's preview).
void put_back(const Change& c, RouterState& state);

}  // namespace bw
