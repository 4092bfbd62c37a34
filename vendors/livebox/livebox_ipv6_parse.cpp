#include "vendors/livebox/livebox_ipv6_parse.hpp"

#include <algorithm>
#include <array>

namespace bw::livebox {

namespace {

bool present_nonempty(const json& obj, std::string_view key) {
  if (!obj.is_object()) {
    return false;
  }
  auto it = obj.find(key);
  // A redacted capture still says there was something.
  return it != obj.end() && it->is_string() && !it->get_ref<const std::string&>().empty();
}

std::string join_numbers(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    out += (out.empty() ? "" : ",") + s;
  }
  return out;
}

std::vector<std::string> protocol_numbers(const std::string& text) {
  std::vector<std::string> out;
  for (Protocol p : parse_protocol_list(text)) {
    out.push_back(p == Protocol::tcp ? "6" : "17");
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::optional<bool> parse_wan_ipv6(const WsReply& reply) {
  const json& d = reply.data.is_object() ? reply.data : reply.status;
  if (!d.is_object()) {
    return std::nullopt;
  }
  std::string state = get_string(d, "ConnectionStateIPv6");
  if (state == "Bound" || state == "Up" || state == "Connected" || present_nonempty(d, "IPv6Address") ||
      present_nonempty(d, "IPv6DelegatedPrefix")) {
    return true;
  }
  if (d.contains("IPv6Address") && d["IPv6Address"].is_string()) {
    return false;  // an empty address and no IPv6 connection: IPv6 is off on the Internet side
  }
  return std::nullopt;
}

std::string parse_ipv6_level(const json& status) {
  static const std::array<std::string_view, 4> levels = {"High", "Medium", "Low", "Custom"};
  if (!status.is_string()) {
    return {};
  }
  const std::string& s = status.get_ref<const std::string&>();
  return std::find(levels.begin(), levels.end(), s) != levels.end() ? s : std::string();
}

std::vector<Pinhole> parse_pinholes(const json& status) {
  std::vector<Pinhole> out;
  if (!status.is_object()) {
    return out;
  }
  for (const auto& [key, rule] : status.items()) {
    if (!rule.is_object()) {
      continue;
    }
    Pinhole base;
    base.id = get_string(rule, "Id");
    if (base.id.empty()) {
      base.id = key;
    }
    std::string port_text = get_string(rule, "DestinationPort");
    if (auto ports = parse_port_range(port_text)) {
      base.port = ports->first;
      base.port_end = ports->last;
    }  // "" (or anything else): every port, which is how the box would have to read it
    base.internal_host = get_string(rule, "DestinationIPAddress");
    base.remote_host = get_string(rule, "SourcePrefix");
    if (auto src = parse_port_range(get_string(rule, "SourcePort"))) {
      base.remote_port = src->first;
    }
    base.lease_seconds =
        static_cast<uint32_t>(std::clamp<long long>(get_int(rule, "LeaseDuration").value_or(0), 0, UINT32_MAX));
    if (std::string origin = get_string(rule, "Origin"); !origin.empty()) {
      base.origin.push_back(origin);
    }
    // Unknown is never safe: without Enable, only an explicit "Disabled" reads as off.
    base.enabled = get_bool(rule, "Enable").value_or(get_string(rule, "Status") != "Disabled");
    base.description = get_string(rule, "Description");
    base.apis = {"livebox"};
    base.vendor_data = json{{"key", key}, {"rule", rule}};
    auto protocols = parse_protocol_list(get_string(rule, "Protocol"));
    if (protocols.empty()) {
      Pinhole p = base;
      p.any_protocol = true;
      out.push_back(std::move(p));
      continue;
    }
    for (Protocol proto : protocols) {
      Pinhole p = base;
      p.protocol = proto;
      out.push_back(std::move(p));
    }
  }
  return out;
}

const json* stored_pinhole_rule(const Pinhole& p) {
  if (p.vendor_data.is_object()) {
    auto it = p.vendor_data.find("rule");
    if (it != p.vendor_data.end() && it->is_object()) {
      return &*it;
    }
  }
  return nullptr;
}

std::string pinhole_origin(const Pinhole& p) {
  if (const json* r = stored_pinhole_rule(p)) {
    if (std::string o = get_string(*r, "Origin"); !o.empty()) {
      return o;
    }
  }
  for (const std::string& o : p.origin) {
    if (o != "upnp-igd") {
      return o;
    }
  }
  return {};
}

std::string pinhole_protocols(const Pinhole& p) {
  if (p.any_protocol) {
    return "6,17";
  }
  return p.protocol == Protocol::tcp ? "6" : "17";
}

json pinhole_set_params(const json& rule) {
  json p = json::object();
  p["id"] = get_string(rule, "Id");
  p["origin"] = get_string(rule, "Origin");
  std::string iface = get_string(rule, "SourceInterface");
  p["sourceInterface"] = iface.empty() ? "data" : iface;
  p["sourcePort"] = get_string(rule, "SourcePort");
  p["destinationPort"] = get_string(rule, "DestinationPort");
  p["destinationIPAddress"] = get_string(rule, "DestinationIPAddress");
  p["destinationMACAddress"] = get_string(rule, "DestinationMACAddress");
  p["sourcePrefix"] = get_string(rule, "SourcePrefix");
  p["protocol"] = get_string(rule, "Protocol");
  p["ipversion"] = get_int(rule, "IPVersion").value_or(6);
  p["enable"] = get_bool(rule, "Enable").value_or(get_string(rule, "Status") != "Disabled");
  p["persistent"] = true;
  p["description"] = get_string(rule, "Description");
  return p;
}

json pinhole_signature(const json& rule) {
  return json{{"proto", join_numbers(protocol_numbers(get_string(rule, "Protocol")))},
              {"port", get_string(rule, "DestinationPort")},
              {"dest", get_string(rule, "DestinationIPAddress")},
              {"prefix", get_string(rule, "SourcePrefix")},
              {"enable", get_bool(rule, "Enable").value_or(get_string(rule, "Status") != "Disabled")}};
}

}  // namespace bw::livebox
