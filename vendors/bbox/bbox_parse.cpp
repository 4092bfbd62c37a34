#include "vendors/bbox/bbox_parse.hpp"

#include <arpa/inet.h>

#include <cctype>

#include "core/i18n.hpp"
#include "core/json_get.hpp"
#include "core/text.hpp"

namespace bw::bbox {

namespace {

bool is_ipv4(const std::string& s) {
  in_addr a{};
  return !s.empty() && s.size() < 16 && inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool is_ipv6(const std::string& s) {
  in6_addr a{};
  return !s.empty() && s.size() < 46 && inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

std::optional<uint16_t> port_number(std::string_view t) {
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  if (t.empty() || t.size() > 5) {
    return std::nullopt;
  }
  long v = 0;
  for (char c : t) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return std::nullopt;
    }
    v = v * 10 + (c - '0');
  }
  if (v < 1 || v > 65535) {
    return std::nullopt;
  }
  return static_cast<uint16_t>(v);
}

// The first key of `keys` that `obj` has, as text (a number reads as its digits).
std::string first_text(const json& obj, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    auto it = obj.find(k);
    if (it == obj.end()) {
      continue;
    }
    if (it->is_string()) {
      return valid_utf8(it->get_ref<const std::string&>().substr(0, k_max_text));
    }
    if (it->is_number_integer()) {
      return std::to_string(it->get<long long>());
    }
  }
  return "";
}

const json* first_value(const json& obj, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    auto it = obj.find(k);
    if (it != obj.end() && !it->is_null()) {
      return &*it;
    }
  }
  return nullptr;
}

std::optional<Protocol> protocol_of(const std::string& p) {
  std::string l;
  for (char c : p) {
    l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (l == "tcp" || l == "6") return Protocol::tcp;
  if (l == "udp" || l == "17") return Protocol::udp;
  return std::nullopt;
}

// "tcp,udp" / "all" / "both": one rule per protocol.
std::vector<Protocol> protocols_of(const std::string& p) {
  std::string l;
  for (char c : p) {
    l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (l == "all" || l == "both" || l == "tcp,udp" || l == "tcp/udp" || l == "tcp_udp") {
    return {Protocol::tcp, Protocol::udp};
  }
  if (auto one = protocol_of(l)) {
    return {*one};
  }
  return {};
}

}  // namespace

json unwrap(std::string_view body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_array() && !j.empty() && j[0].is_object()) {
    return j[0];
  }
  if (j.is_object()) {
    return j;
  }
  throw Error(ErrorKind::protocol, tr("the Bbox answered something that is not its JSON (an array with one object)"));
}

const json& section(const json& obj, std::initializer_list<const char*> path) {
  static const json empty = json::object();
  const json* cur = &obj;
  for (const char* k : path) {
    if (!cur->is_object()) {
      return empty;
    }
    auto it = cur->find(k);
    if (it == cur->end() || !it->is_object()) {
      return empty;
    }
    cur = &*it;
  }
  return cur->is_object() ? *cur : empty;
}

std::string text(const json& obj, std::string_view key, size_t max_len) {
  std::string s = json_string(obj, key);
  if (s.size() > max_len) {
    s.resize(max_len);
  }
  return valid_utf8(s);
}

std::optional<ApiError> parse_error(std::string_view body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_array() && !j.empty()) {
    j = j[0];
  }
  const json& ex = section(j, {"exception"});
  if (ex.empty()) {
    return std::nullopt;
  }
  ApiError e;
  e.domain = printable(json_string(ex, "domain"), 60);
  e.code = printable(first_text(ex, {"code"}), 8);
  auto errors = ex.find("errors");
  if (errors != ex.end() && errors->is_array()) {
    for (const json& item : *errors) {
      if (item.is_object()) {
        e.reason = printable(json_string(item, "reason"), 160);
        e.name = printable(json_string(item, "name"), 40);
        break;
      }
    }
  }
  if (e.reason.empty()) {
    e.reason = printable(json_string(ex, "message"), 160);
  }
  return e;
}

std::string refusal_message(const std::optional<ApiError>& e, long status, std::string_view what) {
  std::string reason = e ? e->reason : "";
  if (e && !e->name.empty()) {
    reason = fill(tr("{reason} (parameter {name})"), {{"reason", reason}, {"name", e->name}});
  }
  std::string code = std::to_string(status);
  if (status == 404) {
    return fill(tr("the Bbox does not offer this (HTTP 404) when asked to {what}: its firmware may be too old or too "
                   "new for boxwarden; do it in the Bbox's own pages"),
                {{"what", what}});
  }
  if (reason.empty()) {
    return fill(tr("the Bbox refused to {what} (HTTP {status})"), {{"what", what}, {"status", code}});
  }
  return fill(tr("the Bbox refused to {what} (HTTP {status}: {reason})"),
              {{"what", what}, {"status", code}, {"reason", reason}});
}

std::optional<long> retry_after_seconds(std::string_view reason) {
  auto at = reason.find("retry after ");
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  long v = 0;
  bool any = false;
  for (size_t i = at + 12; i < reason.size() && std::isdigit(static_cast<unsigned char>(reason[i])) && v < 1000000; ++i) {
    v = v * 10 + (reason[i] - '0');
    any = true;
  }
  return any ? std::optional<long>(v) : std::nullopt;
}

std::optional<Device> parse_device(const json& obj) {
  const json& d = section(obj, {"device"});
  Device dev;
  dev.model = printable(json_string(d, "modelname"), 40);
  if (dev.model.empty()) {
    return std::nullopt;
  }
  dev.firmware = printable(json_string(section(d, {"main"}), "version"), 40);
  if (dev.firmware.empty()) {
    dev.firmware = printable(json_string(section(d, {"running"}), "version"), 40);
  }
  dev.serial = text(d, "serialnumber", 64);
  dev.ipv6 = json_bool(section(d, {"using"}), "ipv6");
  return dev;
}

WanIp parse_wan_ip(const json& obj) {
  const json& ip = section(obj, {"wan", "ip"});
  WanIp w;
  std::string a = json_string(ip, "address");
  if (is_ipv4(a)) {
    w.address = a;
  }
  auto st = ip.find("ip6state");
  if (st != ip.end() && st->is_string()) {
    w.ipv6_up = st->get<std::string>() == "Up";
  }
  std::string range = printable(json_string(ip, "portrange"), 20);
  if (range.find_first_not_of("0123456789:-") == std::string::npos) {
    w.port_range = range;
  }
  return w;
}

Services parse_services(const json& obj) {
  const json& s = section(obj, {"services"});
  Services v;
  v.firewall = json_bool(section(s, {"firewall"}), "enable");
  v.nat = json_bool(section(s, {"nat"}), "enable");
  v.upnp = json_bool(section(s, {"upnp", "igd"}), "enable");
  const json& admin = section(s, {"remote", "admin"});
  v.remote_admin = json_bool(admin, "enable");
  v.proxywol = json_bool(section(s, {"remote", "proxywol"}), "enable");
  v.remote_saved = json::object();
  if (v.remote_admin) {
    v.remote_saved["enable"] = *v.remote_admin ? 1 : 0;
  }
  if (auto p = json_int(admin, "port"); p && *p >= 1 && *p <= 65535) {
    v.remote_saved["port"] = *p;
  }
  for (const char* k : {"ip", "ip6", "duration"}) {
    std::string t = text(admin, k, 64);
    if (admin.contains(k)) {
      v.remote_saved[k] = t;
    }
  }
  return v;
}

std::optional<std::pair<uint16_t, uint16_t>> parse_ports(const json& value) {
  if (value.is_number_integer()) {
    long long n = value.get<long long>();
    if (n < 1 || n > 65535) {
      return std::nullopt;
    }
    return std::make_pair(static_cast<uint16_t>(n), static_cast<uint16_t>(n));
  }
  if (!value.is_string()) {
    return std::nullopt;
  }
  std::string_view t = value.get_ref<const std::string&>();
  if (t.size() > 16) {
    return std::nullopt;
  }
  auto sep = t.find_first_of(":-");
  auto a = port_number(t.substr(0, sep));
  auto b = sep == std::string_view::npos ? a : port_number(t.substr(sep + 1));
  if (!a || !b || *b < *a) {
    return std::nullopt;
  }
  return std::make_pair(*a, *b);
}

NatRules parse_nat_rules(const json& obj) {
  const json& nat = section(obj, {"nat"});
  NatRules out;
  out.enabled = json_bool(nat, "enable");
  auto rules = nat.find("rules");
  if (rules == nat.end() || !rules->is_array()) {
    return out;
  }
  size_t n = 0;
  for (const json& r : *rules) {
    if (++n > 1024) {
      out.skipped.push_back(tr("more than 1024 rules: the rest was not read"));
      break;
    }
    if (!r.is_object()) {
      continue;
    }
    auto id = json_int(r, "id");
    std::string label = id ? "#" + std::to_string(*id) : printable(json_string(r, "description"), 30);
    std::string version = json_string(r, "ipprotocol");
    if (!version.empty() && version != "IPv4" && version != "ipv4") {
      out.skipped.push_back(fill(tr("rule {rule}: IP version {version}"), {{"rule", label}, {"version", printable(version, 10)}}));
      continue;
    }
    const json* ext = first_value(r, {"externalport", "external_port", "externalPort"});
    const json* in = first_value(r, {"internalport", "internal_port", "internalPort"});
    std::string host = json_string(r, "internalip");
    if (host.empty()) {
      host = json_string(r, "ipaddress");
    }
    auto ports = ext ? parse_ports(*ext) : std::nullopt;
    auto inner = in ? parse_ports(*in) : ports;
    auto protos = protocols_of(json_string(r, "protocol"));
    if (!id || *id < 0 || !ports || !inner || !is_ipv4(host) || protos.empty()) {
      out.skipped.push_back(fill(tr("rule {rule}: unreadable ports, protocol or LAN address"), {{"rule", label}}));
      continue;
    }
    std::string remote = json_string(r, "ipremote");
    if (!remote.empty() && remote.size() > 64) {
      remote.resize(64);
    }
    json saved = json::object();
    saved["id"] = *id;
    for (const char* k : {"enable", "description", "protocol", "externalport", "internalport", "internalip",
                          "ipremote", "ipprotocol"}) {
      auto it = r.find(k);
      if (it != r.end() && (it->is_string() || it->is_number_integer())) {
        saved[k] = it->is_string() ? json(text(r, k)) : *it;
      }
    }
    for (Protocol p : protos) {
      PortForward f;
      f.protocol = p;
      f.external_port = ports->first;
      f.external_port_end = ports->second;
      f.internal_host = host;
      f.internal_port = inner->first;
      f.description = text(r, "description");
      f.origin = {"webui"};
      f.enabled = json_bool(r, "enable").value_or(true) && out.enabled.value_or(true);
      f.remote_host = valid_utf8(remote);
      f.id = std::to_string(*id);
      f.apis = {"bbox"};
      f.vendor_data = json{{"bbox", {{"rule", saved}}}};
      out.forwards.push_back(std::move(f));
    }
  }
  return out;
}

std::optional<Dmz> parse_dmz(const json& obj) {
  const json& d = section(obj, {"nat", "dmz"});
  auto on = json_bool(d, "enable");
  if (!on) {
    return std::nullopt;
  }
  Dmz z;
  z.enabled = *on;
  std::string ip = json_string(d, "ipaddress");
  z.host = is_ipv4(ip) ? ip : "";
  json saved = {{"enable", *on ? 1 : 0}, {"ipaddress", z.host}};
  if (auto dp = json_int(d, "dnsprotect")) {
    saved["dnsprotect"] = *dp != 0 ? 1 : 0;
  }
  z.vendor_data = json{{"bbox", saved}};
  if (z.enabled && z.host.empty()) {
    z.host = printable(ip, 45);  // on, towards something that is not an address: shown as it is
  }
  return z;
}

std::string dmz_restore_form(const Dmz& d) {
  const json& saved = section(d.vendor_data, {"bbox"});
  std::string form = "enable=" + std::string(d.enabled ? "1" : "0") + "&ipaddress=" + form_escape(d.enabled ? d.host : "");
  if (auto dp = json_int(saved, "dnsprotect")) {
    form += "&dnsprotect=" + std::string(*dp != 0 ? "1" : "0");
  }
  return form;
}

std::optional<bool> parse_upnp_igd(const json& obj) {
  return json_bool(section(obj, {"upnp", "igd"}), "enable");
}

std::vector<PortForward> parse_upnp_rules(const json& obj, std::vector<std::string>* skipped) {
  std::vector<PortForward> out;
  const json& igd = section(obj, {"upnp", "igd"});
  auto rules = igd.find("rules");
  if (rules == igd.end() || !rules->is_array()) {
    return out;
  }
  size_t n = 0;
  for (const json& r : *rules) {
    if (++n > 1024 || !r.is_object()) {
      continue;
    }
    const json* ext = first_value(r, {"externalport", "external_port", "ExternalPort"});
    const json* in = first_value(r, {"internalport", "internal_port", "InternalPort"});
    std::string host = first_text(r, {"internalip", "ipaddress", "InternalClient", "internalclient"});
    auto proto = protocol_of(first_text(r, {"protocol", "Protocol"}));
    auto ports = ext ? parse_ports(*ext) : std::nullopt;
    auto inner = in ? parse_ports(*in) : ports;
    if (!ports || !inner || !proto || !is_ipv4(host)) {
      if (skipped) {
        skipped->push_back(tr("a UPnP mapping with unreadable ports, protocol or LAN address"));
      }
      continue;
    }
    PortForward f;
    f.protocol = *proto;
    f.external_port = ports->first;
    f.external_port_end = ports->second;
    f.internal_host = host;
    f.internal_port = inner->first;
    f.description = valid_utf8(first_text(r, {"description", "Description"}));
    f.origin = {"upnp"};
    f.enabled = json_bool(r, "enable").value_or(true);
    f.remote_host = first_text(r, {"ipremote", "RemoteHost"});
    if (auto lease = json_int(r, "leaseduration"); lease && *lease > 0 && *lease < (1LL << 31)) {
      f.lease_seconds = static_cast<uint32_t>(*lease);
    }
    f.id = first_text(r, {"id"});
    f.apis = {"bbox"};
    out.push_back(std::move(f));
  }
  return out;
}

Ipv6Firewall parse_ipv6_firewall(const json& obj) {
  const json& v6 = section(obj, {"firewall", "v6"});
  Ipv6Firewall out;
  out.enabled = json_bool(v6, "enable");
  auto rules = v6.find("rules");
  if (rules == v6.end() || !rules->is_array()) {
    return out;
  }
  out.listed = true;
  size_t n = 0;
  for (const json& r : *rules) {
    if (++n > 1024 || !r.is_object()) {
      continue;
    }
    Pinhole p;
    std::string proto = first_text(r, {"protocol"});
    if (auto one = protocol_of(proto)) {
      p.protocol = *one;
    } else {
      p.any_protocol = true;
    }
    std::string host = first_text(r, {"dstip", "ipaddress", "destinationip"});
    p.internal_host = is_ipv6(host) ? host : "";
    if (const json* port = first_value(r, {"dstport", "destinationport", "port"})) {
      if (auto pr = parse_ports(*port)) {
        p.port = pr->first;
        p.port_end = pr->second;
      }
    }
    p.remote_host = printable(first_text(r, {"srcip", "sourceip"}), 64);
    p.id = first_text(r, {"id"});
    p.enabled = json_bool(r, "enable").value_or(true);
    p.description = valid_utf8(first_text(r, {"description"}));
    p.origin = {"webui"};
    p.apis = {"bbox"};
    out.rules.push_back(std::move(p));
  }
  return out;
}

std::string form_escape(std::string_view value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace bw::bbox
