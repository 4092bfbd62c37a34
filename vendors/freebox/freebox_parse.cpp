#include "vendors/freebox/freebox_parse.hpp"

#include <algorithm>
#include <cstdio>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "core/json_get.hpp"
#include "core/text.hpp"

namespace bw::freebox {

namespace {

std::string hex(const unsigned char* data, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(digits[data[i] >> 4]);
    out.push_back(digits[data[i] & 0xf]);
  }
  return out;
}

std::optional<uint16_t> port_of(const json& obj, std::string_view key, long long min = 1) {
  auto v = get_int(obj, key);
  if (!v || *v < min || *v > 65535) {
    return std::nullopt;
  }
  return static_cast<uint16_t>(*v);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

const json& items_of(const json& result) {
  static const json empty = json::array();
  return result.is_array() ? result : empty;
}

// "0.0.0.0" and "" both mean any source.
std::string source_of(const json& obj, std::string_view key) {
  std::string s = get_string(obj, key, 64);
  return s == "0.0.0.0" ? std::string() : s;
}

}  // namespace

std::string get_string(const json& obj, std::string_view key, size_t max_len) {
  std::string s = json_string(obj, key);
  return s.size() > max_len ? s.substr(0, max_len) : s;
}

std::optional<bool> get_bool(const json& obj, std::string_view key) {
  if (!obj.is_object()) {
    return std::nullopt;
  }
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_boolean()) {
    return std::nullopt;
  }
  return it->get<bool>();
}

std::optional<long long> get_int(const json& obj, std::string_view key) {
  if (!obj.is_object()) {
    return std::nullopt;
  }
  auto it = obj.find(key);
  if (it == obj.end()) {
    return std::nullopt;
  }
  if (it->is_number_integer()) {
    return it->get<long long>();
  }
  if (it->is_number_unsigned()) {
    auto u = it->get<unsigned long long>();
    return u > static_cast<unsigned long long>(INT64_MAX) ? std::nullopt : std::optional<long long>(u);
  }
  if (it->is_string()) {  // the docs call wan_port_start a string
    const std::string& s = it->get_ref<const std::string&>();
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    return std::stoll(s);
  }
  return std::nullopt;
}

std::string short_id(std::string_view text) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), d);
  return hex(d, 6);
}

std::string hmac_sha1_hex(std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &len) == nullptr) {
    throw Error(ErrorKind::internal, "HMAC-SHA1 failed in OpenSSL");
  }
  std::string h = hex(out, len);
  OPENSSL_cleanse(out, sizeof out);
  return h;
}

std::optional<ApiVersion> parse_api_version(std::string_view body) {
  if (body.size() > 65536) {
    return std::nullopt;
  }
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return std::nullopt;
  }
  ApiVersion v;
  v.api_version = get_string(j, "api_version", 16);
  v.api_base_url = get_string(j, "api_base_url", 64);
  v.box_model = get_string(j, "box_model", 64);
  v.model = get_string(j, "box_model_name", 128);
  if (v.model.empty()) {
    v.model = v.box_model;
  }
  v.device_name = get_string(j, "device_name", 128);
  v.https_available = get_bool(j, "https_available").value_or(false);
  v.https_port = port_of(j, "https_port").value_or(0);
  v.api_domain = get_string(j, "api_domain", 253);
  v.uid = get_string(j, "uid", 128);
  // "16.0" -> 16: digits, then '.' or the end.
  size_t n = 0;
  while (n < v.api_version.size() && n < 3 && v.api_version[n] >= '0' && v.api_version[n] <= '9') {
    ++n;
  }
  if (n == 0 || (n < v.api_version.size() && v.api_version[n] != '.')) {
    return std::nullopt;
  }
  v.api_major = std::stoi(v.api_version.substr(0, n));
  // A base URL we put in every request: "/api/" or another plain absolute path.
  bool path_ok = v.api_base_url.size() >= 2 && v.api_base_url.front() == '/' && v.api_base_url.back() == '/' &&
                 v.api_base_url.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-/") == std::string::npos &&
                 v.api_base_url.find("//") == std::string::npos;
  bool named = v.device_name.starts_with("Freebox") || v.box_model.starts_with("fbxgw") ||
               ends_with(v.api_domain, ".fbxos.fr");
  if (v.api_major < 1 || !path_ok || !named) {
    return std::nullopt;
  }
  // A TLS name: letters, digits, dots and dashes only (it goes into a URL).
  if (v.api_domain.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") != std::string::npos ||
      v.api_domain.starts_with(".") || v.api_domain.starts_with("-")) {
    v.api_domain.clear();
  }
  if (v.api_domain.empty() || v.https_port == 0) {
    v.https_available = false;
  }
  return v;
}

std::optional<Authorization> parse_authorization(const json& result) {
  Authorization a;
  a.app_token = get_string(result, "app_token", 512);
  auto id = get_int(result, "track_id");
  if (a.app_token.empty() || !id || *id < 0) {
    return std::nullopt;
  }
  a.track_id = *id;
  return a;
}

PairStatus parse_pair_status(const json& result) {
  std::string s = get_string(result, "status", 32);
  if (s == "pending") {
    return PairStatus::pending;
  }
  if (s == "granted") {
    return PairStatus::granted;
  }
  if (s == "denied") {
    return PairStatus::denied;
  }
  if (s == "timeout") {
    return PairStatus::timeout;
  }
  return PairStatus::unknown;
}

std::optional<std::string> parse_challenge(const json& result) {
  // The web UI's own login gets an array of JavaScript here: never taken for a challenge.
  std::string c = get_string(result, "challenge", 512);
  if (c.empty()) {
    return std::nullopt;
  }
  return c;
}

std::optional<SessionGrant> parse_session(const json& result) {
  SessionGrant g;
  g.session_token = get_string(result, "session_token", 512);
  if (g.session_token.empty()) {
    return std::nullopt;
  }
  g.permissions = json::object();
  if (result.contains("permissions") && result["permissions"].is_object()) {
    for (const auto& [name, value] : result["permissions"].items()) {
      if (value.is_boolean() && name.size() <= 32 && g.permissions.size() < 64) {
        g.permissions[valid_utf8(name)] = value.get<bool>();
      }
    }
  }
  g.settings = get_bool(g.permissions, "settings").value_or(false);
  return g;
}

ConnectionStatus parse_connection(const json& result) {
  ConnectionStatus c;
  c.external_ip = get_string(result, "ipv4", 64);
  c.state = get_string(result, "state", 32);
  if (result.is_object() && result.contains("ipv4_port_range")) {
    const json& r = result["ipv4_port_range"];
    if (r.is_array() && r.size() == 2 && r[0].is_number_integer() && r[1].is_number_integer()) {
      long long a = r[0].get<long long>();
      long long b = r[1].get<long long>();
      if (a >= 0 && b >= a && b <= 65535) {
        c.port_range = PortRange{static_cast<uint16_t>(a), static_cast<uint16_t>(b)};
      }
    }
  }
  return c;
}

std::vector<PortForward> parse_forwards(const json& result, const std::optional<PortRange>& range,
                                        std::vector<std::string>* skipped) {
  std::vector<PortForward> out;
  for (const json& rule : items_of(result)) {
    if (out.size() >= 10000) {
      break;
    }
    auto id = get_int(rule, "id");
    auto proto = parse_protocol(get_string(rule, "ip_proto", 8));
    auto first = port_of(rule, "wan_port_start");
    auto last = port_of(rule, "wan_port_end");
    auto lan_port = port_of(rule, "lan_port");
    std::string lan_ip = get_string(rule, "lan_ip", 64);
    if (!id || *id < 0 || !proto || !first || lan_ip.empty()) {
      if (skipped != nullptr && skipped->size() < 100) {
        skipped->push_back(id ? std::to_string(*id) : "?");
      }
      continue;
    }
    if (!last || *last < *first) {
      last = first;
    }
    PortForward f;
    f.protocol = *proto;
    f.external_port = *first;
    f.external_port_end = *last;
    f.internal_host = lan_ip;
    f.internal_port = lan_port.value_or(*first);
    f.description = get_string(rule, "comment");
    if (f.description.empty()) {
      f.description = get_string(rule, "hostname");
    }
    f.origin = {"webui"};
    f.enabled = get_bool(rule, "enabled").value_or(true);  // unknown is never safe
    f.remote_host = source_of(rule, "src_ip");
    f.id = std::to_string(*id);
    f.apis = {"freebox"};
    json redir = {{"enabled", f.enabled},
                  {"ip_proto", get_string(rule, "ip_proto", 8)},
                  {"wan_port_start", *first},
                  {"wan_port_end", *last},
                  {"lan_ip", lan_ip},
                  {"lan_port", f.internal_port},
                  {"src_ip", f.remote_host.empty() ? std::string("0.0.0.0") : f.remote_host},
                  {"comment", get_string(rule, "comment")}};
    f.vendor_data = {{"kind", "redir"}, {"redir", redir}};
    if (range) {
      bool inert = !range->contains(*first) && !range->contains(*last);
      f.vendor_data["wan_port_range"] = {range->first, range->last};
      f.vendor_data["inert"] = inert;
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<PortForward> parse_upnp_mappings(const json& result, std::vector<std::string>* skipped) {
  std::vector<PortForward> out;
  for (const json& m : items_of(result)) {
    if (out.size() >= 10000) {
      break;
    }
    std::string id = get_string(m, "id", 128);
    auto proto = parse_protocol(get_string(m, "proto", 8));
    auto port = port_of(m, "ext_port");
    std::string host = get_string(m, "int_ip", 64);
    if (id.empty() || !proto || !port || host.empty()) {
      if (skipped != nullptr && skipped->size() < 100) {
        skipped->push_back(id.empty() ? "?" : id);
      }
      continue;
    }
    PortForward f;
    f.protocol = *proto;
    f.external_port = *port;
    f.external_port_end = *port;
    f.internal_host = host;
    f.internal_port = port_of(m, "int_port").value_or(*port);
    f.description = get_string(m, "desc");
    f.origin = {"upnp"};
    f.enabled = get_bool(m, "enabled").value_or(true);
    f.remote_host = source_of(m, "ext_src_ip");
    auto remaining = get_int(m, "remaining");
    f.lease_seconds = remaining && *remaining > 0 ? static_cast<uint32_t>(std::min<long long>(*remaining, UINT32_MAX)) : 0;
    f.id = id;
    f.apis = {"freebox"};
    f.vendor_data = {{"kind", "upnp"}};
    out.push_back(std::move(f));
  }
  return out;
}

bool is_upnp_mapping(const PortForward& f) {
  if (f.vendor_data.is_object() && f.vendor_data.contains("kind")) {
    return f.vendor_data["kind"] == "upnp";
  }
  return std::find(f.origin.begin(), f.origin.end(), "upnp") != f.origin.end() &&
         std::find(f.origin.begin(), f.origin.end(), "webui") == f.origin.end();
}

json forward_create_body(const PortForward& f) {
  if (f.vendor_data.is_object() && f.vendor_data.contains("redir") && f.vendor_data["redir"].is_object()) {
    const json& r = f.vendor_data["redir"];
    // Only the writable fields, rebuilt one by one (a hand-edited backup carries nothing else).
    json body = {{"enabled", get_bool(r, "enabled").value_or(f.enabled)},
                 {"ip_proto", get_string(r, "ip_proto", 8)},
                 {"wan_port_start", get_int(r, "wan_port_start").value_or(f.external_port)},
                 {"wan_port_end", get_int(r, "wan_port_end").value_or(f.external_port_end)},
                 {"lan_ip", get_string(r, "lan_ip", 64)},
                 {"lan_port", get_int(r, "lan_port").value_or(f.internal_port)},
                 {"src_ip", get_string(r, "src_ip", 64)},
                 {"comment", get_string(r, "comment")}};
    if (body["ip_proto"] == "") {
      body["ip_proto"] = f.protocol == Protocol::tcp ? "tcp" : "udp";
    }
    if (body["lan_ip"] == "") {
      body["lan_ip"] = f.internal_host;
    }
    if (body["src_ip"] == "") {
      body["src_ip"] = "0.0.0.0";
    }
    return body;
  }
  // A forward another API reported (a UPnP mapping): the same opening, as a Freebox rule.
  return {{"enabled", f.enabled},
          {"ip_proto", f.protocol == Protocol::tcp ? "tcp" : "udp"},
          {"wan_port_start", f.external_port},
          {"wan_port_end", f.external_port_end},
          {"lan_ip", f.internal_host},
          {"lan_port", f.internal_port},
          {"src_ip", f.remote_host.empty() ? std::string("0.0.0.0") : f.remote_host},
          {"comment", f.description}};
}

bool rule_matches(const json& rule, const json& body) {
  auto src = [](const json& j) {
    std::string s = get_string(j, "src_ip", 64);
    return s.empty() ? std::string("0.0.0.0") : s;
  };
  return get_string(rule, "ip_proto", 8) == get_string(body, "ip_proto", 8) &&
         get_int(rule, "wan_port_start") == get_int(body, "wan_port_start") &&
         get_int(rule, "wan_port_end").value_or(get_int(rule, "wan_port_start").value_or(-1)) ==
             get_int(body, "wan_port_end").value_or(-2) &&
         get_string(rule, "lan_ip", 64) == get_string(body, "lan_ip", 64) &&
         get_int(rule, "lan_port") == get_int(body, "lan_port") && src(rule) == src(body) &&
         get_bool(rule, "enabled").value_or(true) == get_bool(body, "enabled").value_or(true);
}

std::optional<Dmz> parse_dmz(const json& result) {
  auto enabled = get_bool(result, "enabled");
  if (!enabled) {
    return std::nullopt;
  }
  Dmz d;
  d.enabled = *enabled;
  d.host = get_string(result, "ip", 64);
  d.vendor_data = {{"enabled", d.enabled}, {"ip", d.host}};
  return d;
}

json dmz_restore_body(const Dmz& d) {
  bool enabled = d.enabled;
  std::string ip = d.host;
  if (d.vendor_data.is_object()) {
    enabled = get_bool(d.vendor_data, "enabled").value_or(enabled);
    std::string saved = get_string(d.vendor_data, "ip", 64);
    if (!saved.empty()) {
      ip = saved;
    }
  }
  json body = {{"enabled", enabled}};
  if (!ip.empty()) {
    body["ip"] = ip;
  }
  return body;
}

std::optional<bool> parse_upnp_enabled(const json& result) {
  return get_bool(result, "enabled");
}

RemoteAccess parse_remote_access(const json& result) {
  RemoteAccess r;
  r.enabled = get_bool(result, "remote_access");
  r.saved = json::object();
  for (const char* key : {"remote_access", "api_remote_access", "ping", "allow_token_request", "wol",
                          "https_available", "is_secure_pass"}) {
    if (auto b = get_bool(result, key)) {
      r.saved[key] = *b;
    }
  }
  for (const char* key : {"remote_access_port", "remote_access_min_port", "remote_access_max_port", "https_port"}) {
    if (auto p = port_of(result, key, 0)) {
      r.saved[key] = *p;
    }
  }
  if (std::string ip = get_string(result, "remote_access_ip", 64); !ip.empty()) {
    r.saved["remote_access_ip"] = ip;
  }
  return r;
}

Ipv6Config parse_ipv6_config(const json& result) {
  Ipv6Config c;
  c.enabled = get_bool(result, "ipv6_enabled");
  c.firewall = get_bool(result, "ipv6_firewall");
  c.saved = json::object();
  for (const char* key : {"ipv6_enabled", "ipv6_firewall", "ipv6_prefix_firewall"}) {
    if (auto b = get_bool(result, key)) {
      c.saved[key] = *b;
    }
  }
  return c;
}

std::vector<BoxService> parse_box_services(const json& result) {
  std::vector<BoxService> out;
  for (const json& s : items_of(result)) {
    if (out.size() >= 256) {
      break;
    }
    BoxService b;
    b.id = valid_utf8(get_string(s, "id", 64));
    if (b.id.empty()) {
      continue;
    }
    b.protocol = valid_utf8(get_string(s, "type", 16));
    b.port = port_of(s, "in_port", 0).value_or(0);
    b.enabled = get_bool(s, "enabled").value_or(false);
    b.active = get_bool(s, "active").value_or(false);
    out.push_back(std::move(b));
  }
  return out;
}

SystemInfo parse_system(const json& result) {
  SystemInfo s;
  s.firmware = get_string(result, "firmware_version", 64);
  if (result.is_object() && result.contains("model_info")) {
    s.model = get_string(result["model_info"], "pretty_name", 128);
  }
  std::string serial = get_string(result, "serial", 128);
  if (!serial.empty()) {
    s.serial_id = short_id(serial);
  }
  return s;
}

}  // namespace bw::freebox
