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

bool Pinhole::same_rule(const Pinhole& o) const {
  if (!id.empty() && !o.id.empty() && origin == o.origin) {
    return id == o.id;
  }
  if (details_hidden || o.details_hidden) {
    return false;
  }
  return any_protocol == o.any_protocol && (any_protocol || protocol == o.protocol) &&
         internal_host == o.internal_host && port == o.port && port_end == o.port_end &&
         remote_host == o.remote_host && remote_port == o.remote_port;
}

std::string Pinhole::protocol_name() const {
  return any_protocol ? "ANY" : std::string(to_string(protocol));
}

std::string Pinhole::key() const {
  if (details_hidden) {
    return "pinhole #" + printable(id, 20);
  }
  std::string k = protocol_name() + "/[" + printable(internal_host, 45) + "]";
  if (port != 0) {
    k += ":" + std::to_string(port);
    if (port_end != port) {
      k += "-" + std::to_string(port_end);
    }
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
  if (ipv6_enabled != false) {
    if (!ipv6_firewall_enabled) {
      u.push_back("ipv6_firewall");
    }
    if (!pinholes_known) {
      u.push_back("ipv6_pinholes");
    }
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

nlohmann::json to_json(const Pinhole& p) {
  nlohmann::json j = {
      {"protocol", p.protocol_name()},
      {"internal_host", p.internal_host},
      {"port", p.port},
      {"port_end", p.port_end},
      {"source", p.remote_host.empty() ? std::string("any") : p.remote_host},
      {"remote_port", p.remote_port},
      {"lease_seconds", p.lease_seconds},
      {"origin", p.origin},
      {"id", p.id},
      {"enabled", p.enabled},
      {"details_hidden", p.details_hidden},
      {"description", p.description},
      {"apis", p.apis},
  };
  if (!p.vendor_data.is_null()) {
    j["vendor_data"] = p.vendor_data;
  }
  return j;
}

Pinhole pinhole_from_json(const nlohmann::json& j) {
  using namespace fields;
  require_object(j, "");
  Pinhole p;
  std::string proto = text(j, "protocol", k_short);
  if (proto == "ANY") {
    p.any_protocol = true;
  } else if (auto parsed = parse_protocol(proto); parsed && (proto == "TCP" || proto == "UDP")) {
    p.protocol = *parsed;
  } else {
    bad("protocol", "must be \"TCP\", \"UDP\" or \"ANY\", not \"" + printable(proto, 20) + "\"");
  }
  p.details_hidden = flag(j, "details_hidden", false);
  p.internal_host = text(j, "internal_host", k_short, "");
  if (!p.details_hidden && !is_ip_literal(p.internal_host)) {
    bad("internal_host", "\"" + printable(p.internal_host, 60) + "\" is not an IP address");
  }
  p.port = static_cast<uint16_t>(number(j, "port", 0, 65535, 0));
  p.port_end = static_cast<uint16_t>(number(j, "port_end", p.port, 65535, p.port));
  std::string source = text(j, "source", k_short, "any");
  p.remote_host = source == "any" ? "" : source;
  if (!p.remote_host.empty() && !is_ip_or_prefix(p.remote_host)) {
    bad("source", "\"" + printable(source, 60) + "\" is neither \"any\" nor an address (or ADDRESS/BITS)");
  }
  p.remote_port = static_cast<uint16_t>(number(j, "remote_port", 0, 65535, 0));
  p.lease_seconds = static_cast<uint32_t>(number(j, "lease_seconds", 0, UINT32_MAX, 0));
  p.origin = texts(j, "origin", 16, k_short);
  p.id = text(j, "id", k_line, "");
  p.enabled = flag(j, "enabled", true);
  p.description = text(j, "description", k_text, "");
  p.apis = texts(j, "apis", 16, k_short);
  p.vendor_data = vendor_data(j, "vendor_data");
  return p;
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
  j["ipv6"] = flag(s.ipv6_enabled);
  j["ipv6_firewall"] = flag(s.ipv6_firewall_enabled);
  if (s.ipv6_firewall_enabled && !s.ipv6_firewall_level.empty()) {
    j["ipv6_firewall"]["level"] = s.ipv6_firewall_level;
  }
  nlohmann::json pinholes = nlohmann::json::array();
  for (const Pinhole& p : s.pinholes) {
    pinholes.push_back(to_json(p));
  }
  j["ipv6_pinholes"] = std::move(pinholes);
  j["ipv6_pinholes_known"] = s.pinholes_known;
  j["ipv6_exposed_host"] = nullptr;
  if (s.ipv6_exposed_host) {
    const Dmz& h = *s.ipv6_exposed_host;
    j["ipv6_exposed_host"] = {{"enabled", h.enabled}, {"host", h.host.empty() ? nlohmann::json(nullptr) : nlohmann::json(h.host)}};
    if (!h.vendor_data.is_null()) {
      j["ipv6_exposed_host"]["vendor_data"] = h.vendor_data;
    }
  }
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
  auto dmz_at = [&](const char* key) {
    return within(key, [&] {
      const auto& d = j[key];
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
  };
  if (j.contains("dmz") && !j["dmz"].is_null()) {
    s.dmz = dmz_at("dmz");
  }
  if (j.contains("ipv6_exposed_host") && !j["ipv6_exposed_host"].is_null()) {
    s.ipv6_exposed_host = dmz_at("ipv6_exposed_host");
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
  s.ipv6_enabled = on_off("ipv6");
  s.ipv6_firewall_enabled = on_off("ipv6_firewall");
  if (s.ipv6_firewall_enabled) {
    s.ipv6_firewall_level = within("ipv6_firewall", [&] { return text(j["ipv6_firewall"], "level", k_short, ""); });
  }
  if (j.contains("ipv6_pinholes")) {
    const auto& list = j["ipv6_pinholes"];
    if (!list.is_array()) {
      bad("ipv6_pinholes", std::string("must be a list, not a JSON ") + list.type_name());
    }
    if (list.size() > 10000) {
      bad("ipv6_pinholes", "more than 10000 entries");
    }
    for (size_t i = 0; i < list.size(); ++i) {
      s.pinholes.push_back(
          within("ipv6_pinholes[" + std::to_string(i) + "]", [&] { return pinhole_from_json(list[i]); }));
    }
  }
  s.pinholes_known = flag(j, "ipv6_pinholes_known", false);
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
