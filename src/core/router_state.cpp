#include "core/router_state.hpp"

#include <algorithm>

#include "core/error.hpp"

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

PortForward port_forward_from_json(const nlohmann::json& j) {
  try {
    PortForward f;
    auto proto = parse_protocol(j.at("protocol").get<std::string>());
    if (!proto) {
      throw Error(ErrorKind::protocol, "unknown protocol in saved port forward");
    }
    f.protocol = *proto;
    f.external_port = j.at("external_port").get<uint16_t>();
    f.external_port_end = j.value("external_port_end", f.external_port);
    f.internal_host = j.at("internal_host").get<std::string>();
    f.internal_port = j.at("internal_port").get<uint16_t>();
    f.description = j.value("description", "");
    f.origin = j.value("origin", std::vector<std::string>{});
    f.enabled = j.value("enabled", true);
    std::string source = j.value("source", "any");
    f.remote_host = source == "any" ? "" : source;
    f.lease_seconds = j.value("lease_seconds", 0u);
    f.id = j.value("id", "");
    f.apis = j.value("apis", std::vector<std::string>{});
    if (j.contains("vendor_data")) {
      f.vendor_data = j["vendor_data"];
    }
    return f;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::protocol, std::string("malformed port forward: ") + e.what());
  }
}

nlohmann::json to_json(const RouterState& s) {
  nlohmann::json forwards = nlohmann::json::array();
  for (const auto& f : s.port_forwards) {
    forwards.push_back(to_json(f));
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
      {"port_forwards", forwards},
      {"static_port_forwards_known", s.static_forwards_known},
      {"dmz", dmz},
      {"upnp_igd", flag(s.upnp_igd_enabled)},
      {"remote_admin", flag(s.remote_admin_enabled)},
      {"unknown", s.unknown()},
  };
  if (!s.vendor_data.is_null()) {
    j["vendor_data"] = s.vendor_data;
  }
  return j;
}

RouterState router_state_from_json(const nlohmann::json& j) {
  try {
    RouterState s;
    for (const auto& f : j.at("port_forwards")) {
      s.port_forwards.push_back(port_forward_from_json(f));
    }
    s.static_forwards_known = j.value("static_port_forwards_known", false);
    if (j.contains("dmz") && !j["dmz"].is_null()) {
      Dmz d;
      d.enabled = j["dmz"].value("enabled", false);
      if (j["dmz"].contains("host") && j["dmz"]["host"].is_string()) {
        d.host = j["dmz"]["host"].get<std::string>();
      }
      if (j["dmz"].contains("vendor_data")) {
        d.vendor_data = j["dmz"]["vendor_data"];
      }
      s.dmz = d;
    }
    auto flag = [&](const char* key) -> std::optional<bool> {
      if (j.contains(key) && j[key].is_object()) {
        return j[key].value("enabled", false);
      }
      return std::nullopt;
    };
    s.upnp_igd_enabled = flag("upnp_igd");
    s.remote_admin_enabled = flag("remote_admin");
    if (j.contains("vendor_data")) {
      s.vendor_data = j["vendor_data"];
    }
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::protocol, std::string("malformed saved state: ") + e.what());
  }
}

}  // namespace bw
