#include "vendors/livebox/livebox_parse.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "core/error.hpp"
#include "core/json_get.hpp"
#include "core/text.hpp"

namespace bw::livebox {

namespace {

constexpr std::string_view k_redacted = "**REDACTED**";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::string trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) {
    ++b;
  }
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) {
    --e;
  }
  return std::string(s.substr(b, e - b));
}

std::optional<long> to_number(std::string_view s) {
  std::string t = trim(s);
  long v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size() || t.empty()) {
    return std::nullopt;
  }
  return v;
}

bool is_secret_key(const std::string& key) {
  std::string k = lower(key);
  static const std::array<std::string_view, 6> exact = {"username", "pincode", "pin", "password",
                                                        "sslcertificate", "ssloptions"};
  if (std::find(exact.begin(), exact.end(), k) != exact.end() || k.starts_with("ssl")) {
    return true;
  }
  static const std::array<std::string_view, 4> suffixes = {"password", "passphrase", "secret",
                                                           "key"};
  return std::any_of(suffixes.begin(), suffixes.end(),
                     [&](std::string_view s) { return k.ends_with(s); });
}

}  // namespace

std::optional<PortRange> parse_port_range(std::string_view text) {
  auto dash = text.find('-');
  auto a = to_number(text.substr(0, dash));
  auto b = dash == std::string_view::npos ? a : to_number(text.substr(dash + 1));
  if (!a || !b || *a < 1 || *a > 65535 || *b < *a || *b > 65535) {
    return std::nullopt;
  }
  return PortRange{static_cast<uint16_t>(*a), static_cast<uint16_t>(*b)};
}

std::string protocol_list_text(const std::vector<std::string>& numbers) {
  std::string out;
  for (const std::string& n : numbers) {
    out += (out.empty() ? "" : ",") + n;
  }
  return out;
}

std::vector<Protocol> parse_protocol_list(std::string_view text) {
  std::vector<Protocol> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find_first_of(",/", start);
    std::string item = lower(trim(text.substr(start, comma - start)));
    std::optional<Protocol> p;
    if (item == "6" || item == "tcp") {
      p = Protocol::tcp;
    } else if (item == "17" || item == "udp") {
      p = Protocol::udp;
    }
    if (p && std::find(out.begin(), out.end(), *p) == out.end()) {
      out.push_back(*p);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    start = comma + 1;
  }
  return out;
}

bool WsReply::has_error(long code) const {
  return std::any_of(errors.begin(), errors.end(),
                     [code](const WsError& e) { return e.code == code; });
}

WsReply unwrap_reply(const json& whole) {
  WsReply r;
  const json* j = &whole;
  if (j->is_object() && j->contains("result") && (*j)["result"].is_object()) {
    j = &(*j)["result"];
  }
  if (!j->is_object()) {
    return r;
  }
  r.status = j->value("status", json());
  r.data = j->value("data", json());
  auto it = j->find("errors");
  if (it != j->end() && it->is_array()) {
    for (const json& e : *it) {
      WsError err;
      if (e.is_object()) {
        err.code = static_cast<long>(get_int(e, "error").value_or(0));
        err.description = get_string(e, "description");
        err.info = get_string(e, "info");
        if (auto w = get_int(e, "waittime")) {
          err.waittime = static_cast<long>(*w);
        }
      }
      r.errors.push_back(err);
    }
  }
  return r;
}

WsReply parse_reply(std::string_view body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    throw Error(ErrorKind::protocol, "the Livebox answered something that is not a JSON object");
  }
  return unwrap_reply(j);
}

std::string describe_errors(const std::vector<WsError>& errors) {
  std::string out;
  for (const WsError& e : errors) {
    if (!out.empty()) {
      out += "; ";
    }
    out += "error " + std::to_string(e.code);
    if (!e.description.empty()) {
      out += " " + printable(e.description);
    }
    if (!e.info.empty()) {
      out += " (" + printable(e.info) + ")";
    }
  }
  return out;
}

bool is_redacted(const json& v) {
  return v.is_string() && v.get_ref<const std::string&>() == k_redacted;
}

std::string get_string(const json& obj, std::string_view key) {
  std::string v = json_string(obj, key);
  return v == k_redacted ? std::string() : v;
}

std::optional<bool> get_bool(const json& obj, std::string_view key) {
  return json_bool(obj, key);
}

std::optional<long long> get_int(const json& obj, std::string_view key) {
  return json_int(obj, key);
}

std::optional<DeviceInfo> parse_device_info(const json& status) {
  if (!status.is_object()) {
    return std::nullopt;
  }
  DeviceInfo d;
  d.product_class = get_string(status, "ProductClass");
  d.model_name = get_string(status, "ModelName");
  d.manufacturer = get_string(status, "Manufacturer");
  d.firmware = get_string(status, "SoftwareVersion");
  d.external_ip = get_string(status, "ExternalIPAddress");
  d.base_mac = upper(get_string(status, "BaseMAC"));
  d.serial = get_string(status, "SerialNumber");
  if (d.serial.size() > 128) {
    d.serial.clear();  // not a serial number: the box's id stays unknown
  }
  if (d.product_class.empty() && d.model_name.empty()) {
    return std::nullopt;
  }
  return d;
}

Family classify(const DeviceInfo& info) {
  if (info.product_class.starts_with("Livebox")) {
    return Family::livebox;
  }
  if (info.product_class.starts_with("WIFIREP") || info.product_class.starts_with("WIFI6REP")) {
    return Family::repeater;
  }
  return Family::other;
}

std::string commercial_model(const DeviceInfo& info) {
  if (info.product_class == "Livebox Fibre") {
    return "Livebox 5 (Livebox Fibre)";
  }
  if (info.product_class == "Livebox Nautilus") {
    return "Livebox S (Livebox Nautilus)";
  }
  if (!info.product_class.empty()) {
    return info.product_class;
  }
  return info.model_name;
}

std::string parse_wan_ip(const WsReply& reply) {
  std::string ip = get_string(reply.data, "IPAddress");
  if (ip.empty()) {
    ip = get_string(reply.status, "IPAddress");  // tolerate a firmware without out-arguments
  }
  return ip;
}

std::vector<PortForward> parse_port_forwards(const json& status, std::vector<std::string>* skipped) {
  std::vector<PortForward> out;
  if (!status.is_object()) {
    return out;
  }
  for (const auto& [key, rule] : status.items()) {
    if (!rule.is_object()) {
      continue;
    }
    std::string id = get_string(rule, "Id");
    if (id.empty()) {
      id = key;  // the captures redact Id; the key is the same string on real boxes
    }
    auto protocols = parse_protocol_list(get_string(rule, "Protocol"));
    auto internal = parse_port_range(get_string(rule, "InternalPort"));
    auto external = parse_port_range(get_string(rule, "ExternalPort"));
    if (!external) {
      external = internal;  // optional argument: the box then uses the internal port
    }
    if (protocols.empty() || !external) {
      if (skipped != nullptr) {
        skipped->push_back(id);
      }
      continue;
    }
    if (auto end = get_int(rule, "ExternalPortEndRange");
        end && *end > external->first && *end <= 65535) {
      external->last = static_cast<uint16_t>(*end);
    }
    for (Protocol p : protocols) {
      PortForward f;
      f.protocol = p;
      f.external_port = external->first;
      f.external_port_end = external->last;
      f.internal_port = internal ? internal->first : external->first;
      f.internal_host = get_string(rule, "DestinationIPAddress");
      f.description = get_string(rule, "Description");
      std::string origin = get_string(rule, "Origin");
      if (!origin.empty()) {
        f.origin.push_back(origin);
      }
      // Unknown is never safe: without Enable, only an explicit "Disabled" reads as off.
      f.enabled = get_bool(rule, "Enable").value_or(get_string(rule, "Status") != "Disabled");
      f.remote_host = get_string(rule, "SourcePrefix");
      f.lease_seconds = static_cast<uint32_t>(std::max<long long>(0, get_int(rule, "LeaseDuration").value_or(0)));
      f.id = id;
      f.apis = {"livebox"};
      f.vendor_data = json{{"key", key}, {"rule", rule}};
      out.push_back(std::move(f));
    }
  }
  return out;
}

std::string rule_origin(const PortForward& f) {
  if (const json* r = stored_rule(f)) {
    std::string o = get_string(*r, "Origin");
    if (!o.empty()) {
      return o;
    }
  }
  for (const std::string& o : f.origin) {
    if (o != "upnp-igd") {
      return o;
    }
  }
  return {};
}

const json* stored_rule(const PortForward& f) {
  if (f.vendor_data.is_object()) {
    auto it = f.vendor_data.find("rule");
    if (it != f.vendor_data.end() && it->is_object()) {
      return &*it;
    }
  }
  return nullptr;
}

Dmz parse_dmz(const json& status) {
  Dmz d;
  d.vendor_data = json{{"entries", status.is_object() ? status : json::object()}};
  if (!status.is_object()) {
    return d;
  }
  for (const auto& [id, entry] : status.items()) {
    bool on = get_bool(entry, "Enable").value_or(get_string(entry, "Status") != "Disabled");
    if (on && !d.enabled) {
      d.enabled = true;
      d.host = get_string(entry, "DestinationIPAddress");
    } else if (d.host.empty() && !d.enabled) {
      d.host = get_string(entry, "DestinationIPAddress");
    }
  }
  return d;
}

json forward_set_params(const json& rule, bool enable) {
  json p = json::object();
  std::string external = get_string(rule, "ExternalPort");
  if (auto end = get_int(rule, "ExternalPortEndRange");
      end && *end > 0 && external.find('-') == std::string::npos) {
    if (auto first = to_number(external); first && *end > *first) {
      external += "-" + std::to_string(*end);
    }
  }
  p["id"] = get_string(rule, "Id");
  p["origin"] = get_string(rule, "Origin");
  p["sourceInterface"] = get_string(rule, "SourceInterface");
  if (p["sourceInterface"] == "") {
    p["sourceInterface"] = "data";
  }
  p["externalPort"] = external;
  p["internalPort"] = get_string(rule, "InternalPort");
  p["destinationIPAddress"] = get_string(rule, "DestinationIPAddress");
  p["sourcePrefix"] = get_string(rule, "SourcePrefix");
  p["protocol"] = get_string(rule, "Protocol");
  p["enable"] = enable;
  long long lease = get_int(rule, "LeaseDuration").value_or(0);
  p["persistent"] = lease == 0;
  p["description"] = get_string(rule, "Description");
  p["destinationMACAddress"] = get_string(rule, "DestinationMACAddress");
  if (lease > 0) {
    p["leaseDuration"] = lease;
  }
  if (auto compat = get_bool(rule, "UPnPV1Compat")) {
    p["upnpv1Compat"] = *compat;
  }
  return p;
}

json dmz_set_params(const std::string& id, const json& entry) {
  std::string iface = get_string(entry, "SourceInterface");
  return json{{"id", id},
              {"sourceInterface", iface.empty() ? "data" : iface},
              {"destinationIPAddress", get_string(entry, "DestinationIPAddress")},
              {"sourcePrefix", get_string(entry, "SourcePrefix")},
              {"enable", get_bool(entry, "Enable").value_or(true)}};
}

json strip_secrets(const json& j) {
  if (j.is_object()) {
    json out = json::object();
    for (const auto& [k, v] : j.items()) {
      if (!is_secret_key(k)) {
        out[k] = strip_secrets(v);
      }
    }
    return out;
  }
  if (j.is_array()) {
    json out = json::array();
    for (const json& v : j) {
      out.push_back(strip_secrets(v));
    }
    return out;
  }
  return j;
}

}  // namespace bw::livebox
