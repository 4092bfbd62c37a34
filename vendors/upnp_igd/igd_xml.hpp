// Pure parsing and building of UPnP IGD XML: root descriptions, SOAP envelopes and
// replies, IGD:2 port listings. No I/O, so it is unit-tested against the shared fixtures
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
  std::vector<WanService> services;  // WANIPConnection first, then WANPPPConnection
};

// Throws Error(protocol) when the XML is not a UPnP device description.
Description parse_description(std::string_view xml, const std::string& description_url);

// Resolves a URL found in a description: absolute http URLs are kept, paths are joined to
// `base` (scheme://host:port of URLBase or of the description URL).
std::string resolve_url(const std::string& base_url, const std::string& ref);

struct SoapReply {
  int fault_code = 0;  // UPnP errorCode of a SOAP fault, 0 when none
  std::string fault_text;
  std::map<std::string, std::string> values;  // children of the *Response element
};

SoapReply parse_soap_reply(std::string_view xml);  // throws Error(protocol)
std::string soap_envelope(const std::string& service_type, const std::string& action,
                          const std::vector<std::pair<std::string, std::string>>& args);
std::string xml_escape(std::string_view text);

// <p:PortMappingList> of GetListOfPortMappings; throws Error(protocol).
std::vector<PortForward> parse_port_listing(std::string_view xml);
// One GetGenericPortMappingEntry reply's values; nullopt when incomplete or invalid.
std::optional<PortForward> port_forward_from_values(const std::map<std::string, std::string>& v);

}  // namespace bw::igd
