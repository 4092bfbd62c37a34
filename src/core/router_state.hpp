// RouterState: a vendor-neutral snapshot of what a box exposes to the Internet.
// Every field a plugin could not read is empty (std::nullopt) and named by unknown();
// rules never treat an unknown field as safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bw {

enum class Protocol { tcp, udp };
std::string_view to_string(Protocol p);  // "TCP" / "UDP"
std::optional<Protocol> parse_protocol(std::string_view text);

// One port forward or UPnP mapping (external port range -> LAN host).
struct PortForward {
  Protocol protocol = Protocol::tcp;
  uint16_t external_port = 0;
  uint16_t external_port_end = 0;  // == external_port for a single port
  std::string internal_host;
  uint16_t internal_port = 0;
  std::string description;          // set by whoever created it: hostile text
  std::vector<std::string> origin;  // "upnp", "webui", "internal", "cwmp", ...
  bool enabled = true;
  std::string remote_host;          // "" = any source ("source": "any" in JSON)
  uint32_t lease_seconds = 0;       // 0 = permanent
  std::string id;                   // vendor's own id, when it has one
  std::vector<std::string> apis;    // ids of the plugins that reported it
  // What the plugin needs to recreate this rule exactly (no secrets); saved in backups.
  nlohmann::json vendor_data;

  // Identity used to match the same forward across reads and APIs.
  bool same_rule(const PortForward& other) const;
  std::string key() const;          // "TCP/11112" (or "TCP/1000-1010")
};

// One IPv6 pinhole: a hole in the box's IPv6 firewall towards one LAN machine. IPv6 has no
// NAT: every LAN machine has its own Internet address, and only the firewall and its holes
// stand between it and the Internet.
struct Pinhole {
  Protocol protocol = Protocol::tcp;
  bool any_protocol = false;        // a hole for every protocol (UPnP protocol 65535)
  std::string internal_host;        // the LAN machine's IPv6 address ("" when hidden)
  uint16_t port = 0;                // destination port; 0 = every port (or unknown when hidden)
  uint16_t port_end = 0;            // == port for a single port
  std::string remote_host;          // "" = any source; else an IPv6 address or prefix
  uint16_t remote_port = 0;         // 0 = any
  uint32_t lease_seconds = 0;       // 0 = permanent
  std::vector<std::string> origin;  // "upnp", "webui", ...
  std::string id;                   // the box's id (a UPnP UniqueID, a Livebox rule id)
  bool enabled = true;
  bool details_hidden = false;      // the box says it exists, not what it opens (UPnP 606)
  std::string description;          // set by whoever created it: hostile text
  std::vector<std::string> apis;    // ids of the plugins that reported it
  nlohmann::json vendor_data;       // what the plugin needs to recreate it exactly (no secrets)

  // The same pinhole across reads and APIs: by id and origin when both have an id, else by
  // what it opens.
  bool same_rule(const Pinhole& other) const;
  std::string key() const;  // "TCP/[2001:db8::10]:11112", "ANY/[2001:db8::10]", "pinhole #3"
  std::string protocol_name() const;  // "TCP", "UDP" or "ANY"
};

struct Dmz {
  bool enabled = false;
  std::string host;
  nlohmann::json vendor_data;  // what the plugin needs to restore it exactly
};

// The box's own VPN server (a Freebox runs WireGuard itself): a way in that needs no
// forward to a LAN machine. Only boxes that have one report it.
struct VpnServer {
  bool enabled = false;
  std::string type;                // "wireguard"
  uint16_t port = 0;               // UDP port on the box's Internet address; 0 when unknown
  uint16_t min_port = 0;           // the ports the box accepts for it (0: any)
  uint16_t max_port = 0;
  std::vector<std::string> peers;  // the names (logins) of its users
  nlohmann::json vendor_data;      // what the plugin needs to put it back as it was
};

// A service the box itself runs on its WAN address (its web admin, a BitTorrent client, a
// VPN server), as the box lists it.
struct BoxService {
  std::string id;        // the box's name for it ("https", "wireguard", "bittorrent-main")
  std::string protocol;  // as the box says: "tcp", "udp", "tcp_udp"
  uint16_t port = 0;
  bool enabled = false;  // allowed to listen
  bool active = false;   // listening now
};

struct RouterState {
  std::string address;      // the box's LAN address we talk to
  std::string vendor;       // plugin id that identified the box
  std::string model;
  std::string firmware;
  std::string external_ip;
  std::vector<std::string> apis;
  // What identifies the box itself (a serial number, the UPnP root device's UDN, an API's
  // uid), prefixed by its kind ("<vendor>-serial:..."); "" when unknown. Identifying: never
  // printed, never saved; reports carry only its hash (core/box_id.hpp).
  std::string box_identity;

  std::vector<PortForward> port_forwards;
  // False when only part of the forwards can be seen (UPnP sees only its own mappings).
  bool static_forwards_known = false;
  std::optional<Dmz> dmz;
  std::optional<bool> upnp_igd_enabled;
  std::optional<bool> remote_admin_enabled;
  std::optional<VpnServer> vpn_server;  // only boxes with a VPN server of their own
  // Plugin-specific settings needed to undo a change (e.g. remote access port), no secrets.
  nlohmann::json vendor_data;
  // IPv6 (nullopt: unknown). ipv6_enabled: the box has IPv6 on its Internet side; when it
  // says no, the IPv6 fields are not asked for. ipv6_firewall_enabled: whether the box's
  // firewall keeps LAN machines unreachable from the Internet over IPv6; false when it is off
  // or at a level that lets everything in. ipv6_firewall_level: the box's own name of its
  // level, for boxes that have levels ("" otherwise).
  std::optional<bool> ipv6_enabled;
  std::optional<bool> ipv6_firewall_enabled;
  std::string ipv6_firewall_level;
  std::vector<Pinhole> pinholes;
  // False when only part of the pinholes can be seen (UPnP sees only its own, and hides them).
  bool pinholes_known = false;
  // A LAN machine the box opens entirely over IPv6 ("exposed host"); only boxes that have one.
  std::optional<Dmz> ipv6_exposed_host;
  // The box's own services on its WAN address; box_services_known is false when the plugin
  // cannot list them (the list is then empty, not "none").
  std::vector<BoxService> box_services;
  bool box_services_known = false;

  // Names of the fields the box did not let us read ("dmz", "remote_admin", ...).
  std::vector<std::string> unknown() const;
};

nlohmann::json to_json(const PortForward& f);
PortForward port_forward_from_json(const nlohmann::json& j);  // throws Error(protocol)
nlohmann::json to_json(const Pinhole& p);
Pinhole pinhole_from_json(const nlohmann::json& j);           // throws Error(protocol)
// Without `with_forwards`, "port_forwards" is an empty array (a report fills it as it writes).
nlohmann::json to_json(const RouterState& s, bool with_forwards = true);
RouterState router_state_from_json(const nlohmann::json& j);  // throws Error(protocol)
VpnServer vpn_server_from_json(const nlohmann::json& j);      // throws Error(protocol)

}  // namespace bw
