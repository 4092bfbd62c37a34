// Pure parsing for the Bouygues Telecom Bbox local API (shared/vendor-api/bbox-sfr.md part A).
// No I/O: JSON text or values in, RouterState pieces out, so unit tests run it against the
// captured fixtures (tests/fixtures/bbox) and the fuzzer against anything.
//
// Contract:
// - Every answer is an array holding one object ([{"device":{...}}]); unwrap() gives that
//   object (a bare object is accepted too). Anything else is Error(protocol).
// - Everything is hostile: missing, null or mistyped fields read as absent (core/json_get),
//   strings are bounded, ports are checked (1-65535, ranges "A:B" or "A-B" in order).
// - Nothing returned holds a secret (password, BBOX_ID cookie, btoken) or the serial number
//   in clear (box_identity only, which reports hash).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/router_state.hpp"

namespace bw::bbox {

using nlohmann::json;

constexpr size_t k_max_text = 256;  // any string kept from the box

// The one object of an answer; Error(protocol) when the body is not JSON or holds none.
json unwrap(std::string_view body);
// obj[a][b]... as an object, or an empty object.
const json& section(const json& obj, std::initializer_list<const char*> path);
std::string text(const json& obj, std::string_view key, size_t max_len = k_max_text);

// The error envelope {"exception":{"domain","code","errors":[{"name","reason"}]}} (A.3).
struct ApiError {
  std::string domain;  // printable, bounded
  std::string code;    // "401", ...
  std::string reason;  // the first reason (or message), printable, bounded
  std::string name;    // the parameter it names, if any
};
std::optional<ApiError> parse_error(std::string_view body);
// One line for a person: what was asked (`what`, a whole clause: "switch the DMZ off"), the
// HTTP status and the box's own reason. Wrong password (401 on login) and 429 are the
// caller's; this is for every other refusal.
std::string refusal_message(const std::optional<ApiError>& e, long status, std::string_view what);
// "4 attempts, retry after 60 seconds" -> 60; nullopt when the text says no number of seconds.
std::optional<long> retry_after_seconds(std::string_view reason);

// GET /api/v1/device (or /summary's device part): what the box says it is.
struct Device {
  std::string model;     // modelname ("F@st5688b")
  std::string firmware;  // main.version, else running.version
  std::string serial;    // identifying: box_identity only
  std::optional<bool> ipv6;  // using.ipv6
};
std::optional<Device> parse_device(const json& obj);  // nullopt without a modelname

// GET /api/v1/wan/ip.
struct WanIp {
  std::string address;  // "" when absent or not an IPv4 literal
  std::optional<bool> ipv6_up;  // ip6state "Up" / anything else; nullopt when absent
  std::string port_range;       // "40960:49151" (MAP-T: only these ports reach this line)
};
WanIp parse_wan_ip(const json& obj);

// GET /api/v1/services (A.6).
struct Services {
  std::optional<bool> firewall;       // firewall.enable
  std::optional<bool> nat;            // nat.enable
  std::optional<bool> upnp;           // upnp.igd.enable
  std::optional<bool> remote_admin;   // remote.admin.enable
  std::optional<bool> proxywol;       // remote.proxywol.enable
  json remote_saved;                  // remote.admin: enable, port, ip, ip6, duration (to restore)
};
Services parse_services(const json& obj);

// GET /api/v1/nat/rules (A.7): the global switch and each rule. A rule whose IP version is
// IPv6 or whose ports cannot be represented is left out and named in `skipped`. Each
// PortForward keeps in vendor_data the rule's writable fields (id, enable, ipprotocol, ...).
// `nat_on` false marks every rule disabled (the box forwards nothing).
struct NatRules {
  std::optional<bool> enabled;  // nat.enable
  std::vector<PortForward> forwards;
  std::vector<std::string> skipped;
};
NatRules parse_nat_rules(const json& obj);
// Port text "443", 443, "2000:2010", "2000-2010" -> (first, last); nullopt when invalid.
std::optional<std::pair<uint16_t, uint16_t>> parse_ports(const json& value);

// GET /api/v1/nat/dmz. vendor_data {"enable","ipaddress","dnsprotect"} as read.
std::optional<Dmz> parse_dmz(const json& obj);
// The form that puts `d` back exactly (enable, ipaddress, dnsprotect when it was read).
std::string dmz_restore_form(const Dmz& d);

// GET /api/v1/upnp/igd: its enable flag.
std::optional<bool> parse_upnp_igd(const json& obj);
// GET /api/v1/upnp/igd/rules: the mappings LAN programs made (origin "upnp"); field names are
// unverified on real boxes (bbox-sfr.md A.9), so the usual spellings are all read.
std::vector<PortForward> parse_upnp_rules(const json& obj, std::vector<std::string>* skipped = nullptr);

// GET /api/v1/firewall/v6/rules (reconstructed, bbox-sfr.md A.10): the IPv6 firewall's switch
// and its rules (holes towards one LAN machine: pinholes).
struct Ipv6Firewall {
  std::optional<bool> enabled;
  std::vector<Pinhole> rules;
  bool listed = false;  // a rules array was there
};
Ipv6Firewall parse_ipv6_firewall(const json& obj);

// application/x-www-form-urlencoded value.
std::string form_escape(std::string_view value);

}  // namespace bw::bbox
