// Pure parsing for OpenWrt's ubus JSON-RPC (rpcd) and its UCI configuration
// (shared/vendor-api/openwrt-ubus.md). No I/O: JSON or text in, RouterState pieces out, so the
// unit tests run it against the fixtures (shared/fixtures/openwrt) and the fuzzer against anything.
//
// Contract:
// - A classic /ubus answer is {"jsonrpc":"2.0","id":N,"result":[status, {data}]} (data may be
//   absent) or {"jsonrpc":"2.0","id":N,"error":{"code":-32xxx,"message":...}}; anything else
//   is Error(protocol). Bodies over 1 MiB are never parsed (the transport caps them).
// - UCI answers (`uci get`) keep their sections in the router's order (.index) and each
//   section's options in the order rpcd gave them (ordered_json): a section can be put back
//   exactly.
// - Everything is hostile: missing, null or mistyped fields read as absent, strings are bounded
//   and printable() before a person sees them, ports are checked (1-65535, "a-b" or "a:b" in order).
// - Nothing returned holds a secret: the password, the ubus_rpc_session id, WireGuard
//   private_key/preshared_key, a PPPoE password are dropped while parsing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/router_state.hpp"

namespace bw::openwrt {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr size_t k_max_text = 256;

// The JSON-RPC error codes of uhttpd's ubus handler (openwrt-ubus.md 1.2).
constexpr int k_rpc_access_denied = -32002;
constexpr int k_rpc_session_not_found = -32001;
constexpr int k_rpc_object_not_found = -32000;
// ubus statuses (libubus enum ubus_msg_status).
constexpr int k_ubus_ok = 0;
constexpr int k_ubus_not_found = 4;
constexpr int k_ubus_no_data = 5;
constexpr int k_ubus_permission_denied = 6;

struct Reply {
  std::optional<int> rpc_error;  // JSON-RPC error code when the answer is an error
  std::string rpc_message;       // its message, printable, bounded
  int status = 0;                // ubus status (result[0])
  ojson data = ojson::object();  // result[1], or an empty object
};
// Throws Error(protocol) when `body` is not a JSON-RPC 2.0 answer of either shape.
Reply parse_reply(std::string_view body);
// The words of a ubus status ("permission denied", "not found", ...).
std::string status_name(int status);

// session.login's data: the session id (32 lowercase hex digits), else nullopt.
std::optional<std::string> parse_login(const ojson& data);

// One UCI section as `uci get` dumps it.
struct Section {
  std::string name;  // ".name" (cfg0b92bd or a real name)
  std::string type;  // ".type"
  bool anonymous = false;
  int index = 0;
  std::vector<std::pair<std::string, ojson>> options;  // in order; values are strings or arrays of strings

  const ojson* find(std::string_view option) const;
  std::string get(std::string_view option, std::string_view fallback = "") const;  // a list: its items joined by ' '
  std::vector<std::string> list(std::string_view option) const;  // a string: split on blanks
  json to_json() const;  // {"name","type","anonymous","index","options":[[k,v],...]} (saved in backups)
};
// `uci get {"config":...}` data ({"values":{name:{...}}}), sections sorted by .index. Options
// whose name starts with '.' are the metadata; option values that are neither a string nor an
// array of strings are dropped. Secret options (private_key, preshared_key, password, key) are
// dropped too. Bounded: at most 4096 sections, 256 options each.
std::vector<Section> parse_sections(const ojson& data);
Section section_from_json(const json& j);  // from Section::to_json; throws Error(protocol)

// UCI booleans ('1', 'yes', 'on', 'true', 'enabled' / '0', 'no', 'off', 'false', 'disabled').
std::optional<bool> uci_bool(std::string_view value);
// Port text "443", "8000-8010", "8000:8010" -> (first, last); nullopt when invalid.
std::optional<std::pair<uint16_t, uint16_t>> parse_ports(std::string_view text);

// The option boxwarden adds to a rule it switched off, holding the `enabled` value read before
// ("" when the option was absent): what the rollback puts back (openwrt_changes.hpp).
constexpr std::string_view k_marker = "boxwarden_was_enabled";

// A firewall rule that opens the router itself to the WAN (input: src wan or *, ACCEPT, no dest).
struct InputRule {
  std::string section;
  std::string name;  // printable
  std::vector<std::string> protos;  // tcp, udp, ... ("tcp udp" when absent)
  std::vector<std::pair<uint16_t, uint16_t>> ports;  // empty: every port
  bool enabled = true;
  bool marked = false;  // carries k_marker (switched off by boxwarden)
  std::string family;   // ipv4, ipv6 or "" (both)
};

// What UCI `firewall` exposes to the Internet.
struct Firewall {
  std::vector<PortForward> forwards;   // redirects from wan with src_dport (per protocol)
  std::optional<Dmz> exposed_host;     // an IPv4 redirect from wan without src_dport: every port
  std::optional<Dmz> exposed_host6;    // the same for family ipv6
  std::vector<Pinhole> pinholes;       // rules wan -> lan ACCEPT for IPv6 (family ipv6 or an IPv6 dest_ip)
  std::vector<InputRule> input_rules;  // rules wan -> router ACCEPT (stock ones left out)
  std::optional<std::string> wan_input;    // wan zone policies as written
  std::optional<std::string> wan_forward;
  std::vector<std::string> wan_networks;   // the wan zone's networks (wan, wan6)
  std::vector<std::string> skipped;        // redirects boxwarden cannot represent, named
};
Firewall parse_firewall(const std::vector<Section>& sections);
// True for the stock rules of fw4's default file, compared by content (not only the name).
bool is_stock_rule(const Section& s);

// UCI `upnpd` (miniupnpd).
struct Upnpd {
  std::optional<bool> enabled;      // config.enabled ('0' in the shipped file; absent = on for the init script)
  bool enabled_option_present = false;
  bool marked = false;              // k_marker on the config section
  std::optional<bool> secure_mode;  // absent = on
  std::string lease_file;           // upnp_lease_file
  uint16_t port = 5000;
  bool allows_low_ports = false;    // a perm_rule allowing ports below 1024
  std::string section = "config";   // the section holding `enabled`
};
Upnpd parse_upnpd(const std::vector<Section>& sections);

// miniupnpd's lease file: PROTO:EXTPORT:INTADDR:INTPORT:TIMESTAMP:DESC (older: no TIMESTAMP).
// IPv4 lines only (origin "upnp"); others named in `skipped`. At most 1024 lines.
std::vector<PortForward> parse_leases(std::string_view text, std::vector<std::string>* skipped = nullptr);

// uhttpd and dropbear: the TCP ports the router's own pages and SSH listen on.
std::vector<uint16_t> admin_ports(const std::vector<Section>& uhttpd, const std::vector<Section>& dropbear);

// WireGuard interfaces of UCI `network` (read only; keys never kept).
struct WireGuard {
  std::string name;
  uint16_t listen_port = 0;
  std::vector<std::string> peers;  // descriptions (printable) or "peer N"
  bool disabled = false;
};
std::vector<WireGuard> parse_wireguard(const std::vector<Section>& network);

// network.interface dump: the first IPv4 address of an up interface among `names` (the wan
// zone's networks), and whether one of them has a global IPv6 address.
struct Wan {
  std::string ipv4;
  std::optional<bool> ipv6;
};
Wan parse_interface_dump(const ojson& data, const std::vector<std::string>& names);

// system.board: model and release description.
struct Board {
  std::string model;
  std::string firmware;
  std::string board_name;
};
Board parse_board(const ojson& data);

}  // namespace bw::openwrt
