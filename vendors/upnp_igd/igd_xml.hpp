// Pure parsing of UPnP IGD XML: root descriptions and IGD:2 port listings (SOAP itself is
// net/soap.hpp). No I/O, so it is unit-tested against the shared fixtures
// and fuzzed. All input is hostile: sizes are capped by the caller, entities are not
// expanded (pugixml has no DTD processing), and every value is kept as untrusted text.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/router_state.hpp"

namespace bw::igd {

struct WanService {
  std::string service_type;  // urn:schemas-upnp-org:service:WANIPConnection:2
  std::string control_url;   // absolute, resolved against URLBase / the description URL
  int version = 1;
};

struct Description {
  std::string friendly_name, manufacturer, model_name, model_number;
  std::string udn;  // the root device's UDN ("uuid:..."): identifies the box, never printed
  std::vector<WanService> services;  // WANIPConnection first, then WANPPPConnection
  // WANIPv6FirewallControl:1 (IGD:2: the IPv6 firewall and its pinholes), the first one
  // found; nullopt when the box offers none.
  std::optional<WanService> ipv6_firewall;
};

// Throws Error(protocol) when the XML is not a UPnP device description.
Description parse_description(std::string_view xml, const std::string& description_url);

// Resolves a URL found in a description: absolute http URLs are kept, paths are joined to
// `base` (scheme://host:port of URLBase or of the description URL).
std::string resolve_url(const std::string& base_url, const std::string& ref);

// <p:PortMappingList> of GetListOfPortMappings; throws Error(protocol).
std::vector<PortForward> parse_port_listing(std::string_view xml);
// One GetGenericPortMappingEntry reply's values; nullopt when incomplete or invalid.
std::optional<PortForward> port_forward_from_values(const std::map<std::string, std::string>& v);

}  // namespace bw::igd
