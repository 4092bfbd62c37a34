// Pure parsing for the Freebox OS local API (shared/vendor-api/freebox.md). No I/O: JSON or
// text in, values out, so unit tests run it against the captured fixtures and the fuzzer
// against anything.
//
// Contract:
// - Everything comes from the network and is hostile: missing, null or mistyped fields read
//   as absent (tolerant getters), strings are bounded, text shown to people goes through
//   printable().
// - The box's `uid` and `api_domain` identify one subscriber: they are never put in clear in
//   a message, a report or vendor_data; short_id() gives a hash to name the box by.
// - Nothing returned here holds a secret (app token, challenge, session token, password).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/router_state.hpp"
#include "vendors/freebox/freebox_errors.hpp"

namespace bw::freebox {

using nlohmann::json;

constexpr size_t k_max_text = 1024;  // any string field kept from the box

// Tolerant getters: absent, null or another type read as the default / nullopt.
std::string get_string(const json& obj, std::string_view key, size_t max_len = k_max_text);
std::optional<bool> get_bool(const json& obj, std::string_view key);
std::optional<long long> get_int(const json& obj, std::string_view key);

// "a1b2c3d4e5f6": the first 12 hex digits of SHA-256(text), to name a box by its uid
// without showing the uid.
std::string short_id(std::string_view text);
// lowercase hex of HMAC-SHA1(key, message): the session password (freebox.md 4.4).
std::string hmac_sha1_hex(std::string_view key, std::string_view message);

// GET /api_version (no envelope).
struct ApiVersion {
  std::string model;          // box_model_name ("Freebox v9 (r1)"), else box_model
  std::string box_model;      // "fbxgw9-r1"
  std::string device_name;    // "Freebox Server"
  std::string api_version;    // "16.0"
  int api_major = 0;          // 16
  std::string api_base_url;   // "/api/"
  bool https_available = false;
  uint16_t https_port = 0;    // 0 when absent
  std::string api_domain;     // identifying: TLS name only, never printed
  std::string uid;            // identifying: short_id() only, never printed
};
// nullopt when `body` is not a Freebox's answer (not JSON, no usable api_version, no
// "/api/"-like base URL, or neither a Freebox device name nor a fbxos domain).
std::optional<ApiVersion> parse_api_version(std::string_view body);

// POST login/authorize/ and GET login/authorize/{id}.
struct Authorization {
  std::string app_token;  // secret: the caller moves it into a Secret at once
  long long track_id = 0;
};
std::optional<Authorization> parse_authorization(const json& result);
enum class PairStatus { unknown, pending, timeout, granted, denied };
PairStatus parse_pair_status(const json& result);  // unknown for anything unexpected
// GET login/ and the session's answers: the challenge, only when it is a string.
std::optional<std::string> parse_challenge(const json& result);
struct SessionGrant {
  std::string session_token;  // secret
  bool settings = false;      // the "settings" permission (writes)
  json permissions;           // name -> bool, as the box gave them (no secret)
};
std::optional<SessionGrant> parse_session(const json& result);

// GET connection/: external address and the WAN port range this line owns.
struct PortRange {
  uint16_t first = 0;
  uint16_t last = 65535;
  bool contains(uint16_t p) const { return p >= first && p <= last; }
};
struct ConnectionStatus {
  std::string external_ip;
  std::string state;                    // "up", "down", ...
  std::optional<PortRange> port_range;  // ipv4_port_range
};
ConnectionStatus parse_connection(const json& result);

// GET fw/redir/: static forwards (origin "webui", id = the rule's number). A rule outside
// `range` cannot be reached from the Internet: vendor_data.inert = true. vendor_data.redir
// holds the writable fields that recreate the rule exactly (POST fw/redir/).
std::vector<PortForward> parse_forwards(const json& result, const std::optional<PortRange>& range,
                                        std::vector<std::string>* skipped = nullptr);
// GET upnpigd/redir/: mappings made by LAN programs (origin "upnp", id as the box gives it).
std::vector<PortForward> parse_upnp_mappings(const json& result, std::vector<std::string>* skipped = nullptr);
bool is_upnp_mapping(const PortForward& f);
// The body of POST fw/redir/ that recreates `f` (from vendor_data.redir, else its fields).
json forward_create_body(const PortForward& f);
// The fields that must match for a listed rule to be `body` (ports, protocol, host, source, switch).
bool rule_matches(const json& rule, const json& body);

// GET fw/dmz/. vendor_data = {"enabled", "ip"} as read, to restore exactly.
std::optional<Dmz> parse_dmz(const json& result);
json dmz_restore_body(const Dmz& d);

// GET upnpigd/config/: {"enabled", "version"}.
std::optional<bool> parse_upnp_enabled(const json& result);

// GET connection/config/: remote access and what restores it (no api_domain).
struct RemoteAccess {
  std::optional<bool> enabled;  // remote_access
  json saved;                   // remote_access, remote_access_port, api_remote_access, ping, ...
};
RemoteAccess parse_remote_access(const json& result);

// GET connection/ipv6/config/ (freebox.md 8): IPv6 on the Internet side and the box's IPv6
// firewall, one on/off switch (no levels). ipv6_firewall false lets every LAN machine be
// reached over IPv6 on every port. The API has no per-host IPv6 rule (no pinhole list: the
// port forwards are IPv4 only), so there is nothing else to read here. The delegated prefixes
// are the subscriber's public addresses: not kept.
struct Ipv6Config {
  std::optional<bool> enabled;   // ipv6_enabled
  std::optional<bool> firewall;  // ipv6_firewall
  json saved;                    // the three switches as read (vendor_data: what the box said)
};
Ipv6Config parse_ipv6_config(const json& result);

// GET fw/incoming/: the box's own services reachable on its WAN address.
std::vector<BoxService> parse_box_services(const json& result);

// GET system/: model, firmware, and the serial as a short_id (never in clear).
struct SystemInfo {
  std::string model;
  std::string firmware;
  std::string serial_id;
};
SystemInfo parse_system(const json& result);

}  // namespace bw::freebox
