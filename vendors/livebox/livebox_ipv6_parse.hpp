// Pure parsing of a Livebox's IPv6 side (livebox.md 4.2, 6.3, 6.5): the WAN's IPv6 state,
// the IPv6 firewall level, the pinholes. No I/O. Internal to the plugin.
//
// Contract:
// - Hostile input never throws: a missing, mistyped or redacted field reads as absent.
// - A pinhole rule for "6,17" gives one Pinhole per protocol sharing the rule's id (as
//   forwards do); a rule whose protocol is neither TCP nor UDP (or none) reads as
//   any_protocol: unknown is never safe.
// - Pinhole::vendor_data = {"key": map key, "rule": the rule as listed}: what recreates it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vendors/livebox/livebox_parse.hpp"

namespace bw::livebox {

// The factory default level (Orange: "Moyen"): blocks unsolicited inbound traffic.
inline constexpr std::string_view k_ipv6_safe_level = "Medium";
// The level that filters nothing.
inline constexpr std::string_view k_ipv6_open_level = "Low";

// Whether the box has IPv6 on its Internet side, from NMC:getWANStatus: true when it says
// ConnectionStateIPv6 "Bound"/"Up" or shows an IPv6 address or delegated prefix; false only
// when it shows an empty IPv6 address and no IPv6 connection; else unknown.
std::optional<bool> parse_wan_ipv6(const WsReply& reply);

// Firewall:getFirewallIPv6Level status: the level name ("" when not a known level).
std::string parse_ipv6_level(const json& status);

// Firewall:getPinhole status (an object keyed by pinhole id).
std::vector<Pinhole> parse_pinholes(const json& status);

// The rule behind a Pinhole (vendor_data.rule), or null.
const json* stored_pinhole_rule(const Pinhole& p);
// The pinhole's origin as the box knows it ("webui", "upnp", ...).
std::string pinhole_origin(const Pinhole& p);
// Livebox protocol numbers of a pinhole ("6", "17"; "6,17" for any protocol).
std::string pinhole_protocols(const Pinhole& p);

// Firewall:setPinhole parameters recreating `rule` (PascalCase, as listed).
json pinhole_set_params(const json& rule);
// What must match for a listed rule to count as the same opening: protocols, port,
// address, source, switch.
json pinhole_signature(const json& rule);

}  // namespace bw::livebox
