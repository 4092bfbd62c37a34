#include "core/router_state.hpp"

#include <algorithm>
#include <limits>

#include "core/error.hpp"

namespace bw {

namespace {

// A backup is a file on disk that may be damaged or edited by hand. A number in it is taken
// only when it is a JSON integer from 0 to the field's maximum: get<uint16_t>() would wrap
// 70000 to 4464 and -1 to 65535, and a float out of range (1e30) is undefined behaviour.
template <typename T>
T whole_number(const nlohmann::json& j, const char* key, const char* what) {
  const nlohmann::json& v = j.at(key);
  constexpr uint64_t max = std::numeric_limits<T>::max();
  bool ok = false;
  uint64_t n = 0;
  if (v.is_number_unsigned()) {
    n = v.get<uint64_t>();
    ok = n <= max;
  } else if (v.is_number_integer()) {
    int64_t s = v.get<int64_t>();
    ok = s >= 0 && static_cast<uint64_t>(s) <= max;
    n = static_cast<uint64_t>(s);
  }
  if (!ok) {
    std::string got = v.is_number() ? v.dump() : std::string("a ") + v.type_name();
    throw Error(ErrorKind::protocol, std::string(what) + ": \"" + key + "\" must be a whole number from 0 to " +
                                         std::to_string(max) + ", not " + got);
  }
  return static_cast<T>(n);
}

// The same, with `fallback` when the key is absent (an older backup may not have it).
template <typename T>
T whole_number(const nlohmann::json& j, const char* key, const char* what, T fallback) {
  return j.contains(key) ? whole_number<T>(j, key, what) : fallback;
}

}  // namespace

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
    const char* what = "saved port forward";
    f.external_port = whole_number<uint16_t>(j, "external_port", what);
    f.external_port_end = whole_number<uint16_t>(j, "external_port_end", what, f.external_port);
    f.internal_host = j.at("internal_host").get<std::string>();
    f.internal_port = whole_number<uint16_t>(j, "internal_port", what);
    f.description = j.value("description", "");
    f.origin = j.value("origin", std::vector<std::string>{});
    f.enabled = j.value("enabled", true);
    std::string source = j.value("source", "any");
    f.remote_host = source == "any" ? "" : source;
    f.lease_seconds = whole_number<uint32_t>(j, "lease_seconds", what, 0u);
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
  if (!s.vendor_data.is_null()) {
    j["vendor_data"] = s.vendor_data;
  }
  return j;
}

RouterState router_state_from_json(const nlohmann::json& j) {
  try {
    RouterState s;
    const auto& forwards = j.at("port_forwards");
    if (!forwards.is_array()) {
      // Iterating an object (or a single value) would take it for a list.
      throw Error(ErrorKind::protocol, std::string("malformed saved state: \"port_forwards\" must be a list, not a ") +
                                           forwards.type_name());
    }
    for (const auto& f : forwards) {
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
