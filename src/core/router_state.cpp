#include "core/router_state.hpp"

#include <algorithm>
#include <limits>

#include "core/error.hpp"
#include "core/json_fields.hpp"
#include "core/text.hpp"

namespace bw {

std::string_view to_string(Protocol p) {
  return p == Protocol::tcp ? "TCP" : "UDP";
}

std::optional<Protocol> parse_protocol(std::string_view text) {
  std::string up(text);
  std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return std::toupper(c); });
  if (up == "TCP") {
    return Protocol::tcp;
  }
  if (up == "UDP") {
    return Protocol::udp;
  }
  return std::nullopt;
}

bool PortForward::same_rule(const PortForward& o) const {
  return protocol == o.protocol && external_port == o.external_port &&
         external_port_end == o.external_port_end && remote_host == o.remote_host;
}

std::string PortForward::key() const {
  std::string k = std::string(to_string(protocol)) + "/" + std::to_string(external_port);
  if (external_port_end != external_port) {
    k += "-" + std::to_string(external_port_end);
  }
  return k;
}

std::vector<std::string> RouterState::unknown() const {
  std::vector<std::string> u;
  if (!static_forwards_known) {
    u.push_back("static_port_forwards");
  }
  if (!dmz) {
    u.push_back("dmz");
  }
  if (!upnp_igd_enabled) {
    u.push_back("upnp_igd");
  }
  if (!remote_admin_enabled) {
    u.push_back("remote_admin");
  }
  return u;
}

nlohmann::json to_json(const PortForward& f) {
  nlohmann::json j = {
      {"protocol", to_string(f.protocol)},
      {"external_port", f.external_port},
      {"external_port_end", f.external_port_end},
      {"internal_host", f.internal_host},
      {"internal_port", f.internal_port},
      {"description", f.description},
      {"origin", f.origin},
      {"enabled", f.enabled},
      {"source", f.remote_host.empty() ? std::string("any") : f.remote_host},
      {"lease_seconds", f.lease_seconds},
      {"apis", f.apis},
  };
  if (!f.id.empty()) {
    j["id"] = f.id;
  }
  if (!f.vendor_data.is_null()) {
    j["vendor_data"] = f.vendor_data;
  }
  return j;
}

// A backup is a file on disk that may be damaged or edited by hand: every field is checked
// like network input (fields::), and the first bad one is named.
PortForward port_forward_from_json(const nlohmann::json& j) {
  using namespace fields;
  require_object(j, "");
  PortForward f;
  std::string proto = text(j, "protocol", k_short);
  if (proto != "TCP" && proto != "UDP") {
    bad("protocol", "must be \"TCP\" or \"UDP\", not \"" + printable(proto, 20) + "\"");
  }
  f.protocol = *parse_protocol(proto);
  f.external_port = static_cast<uint16_t>(number(j, "external_port", 1, 65535));
  f.external_port_end =
      static_cast<uint16_t>(number(j, "external_port_end", f.external_port, 65535, f.external_port));
  f.internal_host = text(j, "internal_host", k_short);
  if (!is_ip_literal(f.internal_host)) {
    bad("internal_host", "\"" + printable(f.internal_host, 60) + "\" is not an IPv4 or IPv6 address");
  }
  f.internal_port = static_cast<uint16_t>(number(j, "internal_port", 1, 65535));
  f.description = text(j, "description", k_text, "");
  f.origin = texts(j, "origin", 16, k_short);
  f.enabled = flag(j, "enabled", true);
  std::string source = text(j, "source", k_short, "any");
  f.remote_host = source == "any" ? "" : source;
  if (!f.remote_host.empty() && !is_ip_or_prefix(f.remote_host)) {
    bad("source", "\"" + printable(source, 60) + "\" is neither \"any\" nor an address (or ADDRESS/BITS)");
  }
  f.lease_seconds = static_cast<uint32_t>(number(j, "lease_seconds", 0, UINT32_MAX, 0));
  f.id = text(j, "id", k_line, "");
  f.apis = texts(j, "apis", 16, k_short);
  f.vendor_data = vendor_data(j, "vendor_data");
  return f;
}

nlohmann::json to_json(const RouterState& s, bool with_forwards) {
  nlohmann::json forwards = nlohmann::json::array();
  for (size_t i = 0; with_forwards && i < s.port_forwards.size(); ++i) {
    forwards.push_back(to_json(s.port_forwards[i]));
  }
  nlohmann::json dmz = nullptr;
  if (s.dmz) {
    dmz = {{"enabled", s.dmz->enabled}, {"host", s.dmz->host.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.dmz->host)}};
    if (!s.dmz->vendor_data.is_null()) {
      dmz["vendor_data"] = s.dmz->vendor_data;
    }
  }
  auto flag = [](const std::optional<bool>& b) {
    return b ? nlohmann::json{{"enabled", *b}} : nlohmann::json(nullptr);
  };
  nlohmann::json j = {
      {"port_forwards", std::move(forwards)},
      {"static_port_forwards_known", s.static_forwards_known},
      {"dmz", dmz},
      {"upnp_igd", flag(s.upnp_igd_enabled)},
      {"remote_admin", flag(s.remote_admin_enabled)},
      {"unknown", s.unknown()},
  };
  if (s.vpn_server) {
    const VpnServer& v = *s.vpn_server;
    j["vpn_server"] = {{"enabled", v.enabled}, {"type", v.type}, {"port", v.port}, {"peers", v.peers}};
    if (v.max_port != 0) {
      j["vpn_server"]["port_range"] = {v.min_port, v.max_port};
    }
    if (!v.vendor_data.is_null()) {
      j["vpn_server"]["vendor_data"] = v.vendor_data;
    }
  }
  if (!s.vendor_data.is_null()) {
    j["vendor_data"] = s.vendor_data;
  }
  j["ipv6_firewall"] = flag(s.ipv6_firewall_enabled);
  nlohmann::json services = nullptr;
  if (s.box_services_known) {
    services = nlohmann::json::array();
    for (const BoxService& b : s.box_services) {
      services.push_back({{"id", b.id}, {"protocol", b.protocol}, {"port", b.port}, {"enabled", b.enabled},
                          {"active", b.active}});
    }
  }
  j["box_services"] = std::move(services);
  return j;
}

VpnServer vpn_server_from_json(const nlohmann::json& v) {
  using namespace fields;
  require_object(v, "");
  VpnServer out;
  out.enabled = flag(v, "enabled", false);
  out.type = text(v, "type", k_short, "");
  out.port = static_cast<uint16_t>(number(v, "port", 0, 65535, 0));
  if (v.contains("peers")) {
    out.peers = texts(v, "peers", 256, k_short);
  }
  if (v.contains("port_range")) {
    const auto& r = v["port_range"];
    if (!r.is_array() || r.size() != 2 || !r[0].is_number_unsigned() || !r[1].is_number_unsigned() ||
        r[0].get<uint64_t>() > r[1].get<uint64_t>() || r[1].get<uint64_t>() > 65535) {
      bad("port_range", "must be [first, last], two ports");
    }
    out.min_port = r[0].get<uint16_t>();
    out.max_port = r[1].get<uint16_t>();
  }
  out.vendor_data = vendor_data(v, "vendor_data");
  return out;
}

RouterState router_state_from_json(const nlohmann::json& j) {
  using namespace fields;
  require_object(j, "");
  RouterState s;
  const auto& forwards = at(j, "port_forwards");
  if (!forwards.is_array()) {
    // Iterating an object (or a single value) would take it for a list.
    bad("port_forwards", std::string("must be a list, not a JSON ") + forwards.type_name());
  }
  if (forwards.size() > 10000) {
    bad("port_forwards", "more than 10000 entries");
  }
  for (size_t i = 0; i < forwards.size(); ++i) {
    s.port_forwards.push_back(
        within("port_forwards[" + std::to_string(i) + "]", [&] { return port_forward_from_json(forwards[i]); }));
  }
  s.static_forwards_known = flag(j, "static_port_forwards_known", false);
  if (j.contains("dmz") && !j["dmz"].is_null()) {
    s.dmz = within("dmz", [&] {
      const auto& d = j["dmz"];
      require_object(d, "");
      Dmz dmz;
      dmz.enabled = flag(d, "enabled");
      if (d.contains("host") && !d["host"].is_null()) {
        dmz.host = text(d, "host", k_short);
        if (!is_ip_literal(dmz.host)) {
          bad("host", "\"" + printable(dmz.host, 60) + "\" is not an IPv4 or IPv6 address");
        }
      }
      dmz.vendor_data = vendor_data(d, "vendor_data");
      return dmz;
    });
  }
  auto on_off = [&](const char* key) -> std::optional<bool> {
    if (!j.contains(key) || j[key].is_null()) {
      return std::nullopt;  // the box did not let us read it
    }
    return within(key, [&] {
      require_object(j[key], "");
      return flag(j[key], "enabled");
    });
  };
  s.upnp_igd_enabled = on_off("upnp_igd");
  s.remote_admin_enabled = on_off("remote_admin");
  if (j.contains("vpn_server") && !j["vpn_server"].is_null()) {
    s.vpn_server = within("vpn_server", [&] { return vpn_server_from_json(j["vpn_server"]); });
  }
  texts(j, "unknown", 16, k_short);  // derived from the rest: only checked
  s.vendor_data = vendor_data(j, "vendor_data");
  s.ipv6_firewall_enabled = on_off("ipv6_firewall");
  if (j.contains("box_services") && !j["box_services"].is_null()) {
    const auto& list = j["box_services"];
    if (!list.is_array()) {
      bad("box_services", std::string("must be a list or null, not a JSON ") + list.type_name());
    }
    if (list.size() > 256) {
      bad("box_services", "more than 256 entries");
    }
    for (size_t i = 0; i < list.size(); ++i) {
      s.box_services.push_back(within("box_services[" + std::to_string(i) + "]", [&] {
        const auto& e = list[i];
        require_object(e, "");
        BoxService b;
        b.id = text(e, "id", k_short);
        b.protocol = text(e, "protocol", k_short);
        b.port = static_cast<uint16_t>(number(e, "port", 0, 65535));
        b.enabled = flag(e, "enabled");
        b.active = flag(e, "active");
        return b;
      }));
    }
    s.box_services_known = true;
  }
  return s;
}

}  // namespace bw
