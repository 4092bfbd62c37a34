#include "vendors/openwrt/openwrt_parse.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "core/i18n.hpp"
#include "core/text.hpp"

namespace bw::openwrt {

namespace {

constexpr size_t k_max_sections = 4096;
constexpr size_t k_max_options = 256;
constexpr size_t k_max_list = 256;

bool owrt_is_ipv4(const std::string& s) {
  in_addr a{};
  return !s.empty() && s.size() < 16 && inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool owrt_is_ipv6(const std::string& s) {
  in6_addr a{};
  return !s.empty() && s.size() < 46 && inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

std::string owrt_lower(std::string_view s) {
  std::string l(s);
  for (char& c : l) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return l;
}

// At most k_max_text bytes of valid UTF-8 (the fuzzer found 256 bytes of 0xb6 kept as 768).
std::string owrt_bounded(std::string_view s) {
  return valid_utf8_clip(s, k_max_text);
}

std::vector<std::string> owrt_split(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size() && out.size() < k_max_list) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ',')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != ',') ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::optional<uint16_t> owrt_port(std::string_view t) {
  if (t.empty() || t.size() > 5) return std::nullopt;
  long v = 0;
  for (char c : t) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v < 1 || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

bool owrt_secret_option(const std::string& name) {
  static const char* k_secret[] = {"private_key", "preshared_key", "password", "key", "peer_psk", "auth_secret",
                                   "psk", "sae_password"};
  for (const char* s : k_secret) {
    if (name == s) return true;
  }
  return false;
}

std::optional<int> owrt_int(const ojson& v) {
  if (v.is_number_integer()) {
    auto x = v.get<long long>();
    if (x >= -1000000 && x <= 1000000) return static_cast<int>(x);
  }
  return std::nullopt;
}

// "tcp udp" / "tcpudp" / absent -> the protocols a redirect forwards boxwarden can represent.
std::vector<Protocol> owrt_protocols(const std::vector<std::string>& protos, bool* other) {
  std::vector<Protocol> out;
  auto add = [&](Protocol p) {
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  };
  if (protos.empty()) {
    add(Protocol::tcp);
    add(Protocol::udp);
  }
  for (const std::string& p : protos) {
    std::string l = owrt_lower(p);
    if (l == "tcp" || l == "6") {
      add(Protocol::tcp);
    } else if (l == "udp" || l == "17") {
      add(Protocol::udp);
    } else if (l == "tcpudp" || l == "all" || l == "any" || l == "*") {
      add(Protocol::tcp);
      add(Protocol::udp);
      if (l != "tcpudp" && other != nullptr) *other = true;
    } else if (other != nullptr) {
      *other = true;
    }
  }
  return out;
}

bool owrt_from_wan(const Section& s, const std::vector<std::string>& wan_zones) {
  std::string src = s.get("src");
  return src == "*" || std::find(wan_zones.begin(), wan_zones.end(), src) != wan_zones.end();
}

}  // namespace

Reply parse_reply(std::string_view body) {
  ojson j = ojson::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    throw Error(ErrorKind::protocol, tr("the router answered something that is not ubus JSON-RPC"));
  }
  Reply r;
  auto err = j.find("error");
  if (err != j.end() && err->is_object()) {
    auto code = err->find("code");
    r.rpc_error = (code != err->end()) ? owrt_int(*code).value_or(-32603) : -32603;
    auto msg = err->find("message");
    if (msg != err->end() && msg->is_string()) {
      r.rpc_message = printable(msg->get_ref<const std::string&>(), 120);
    }
    return r;
  }
  auto res = j.find("result");
  if (res == j.end() || !res->is_array() || res->empty()) {
    throw Error(ErrorKind::protocol, tr("the router answered something that is not ubus JSON-RPC"));
  }
  auto st = owrt_int((*res)[0]);
  if (!st || *st < 0 || *st > 255) {
    throw Error(ErrorKind::protocol, tr("the router answered something that is not ubus JSON-RPC"));
  }
  r.status = *st;
  if (res->size() > 1 && (*res)[1].is_object()) {
    r.data = std::move((*res)[1]);
  }
  return r;
}

std::string status_name(int status) {
  switch (status) {
    case 0: return "ok";
    case 1: return "invalid command";
    case 2: return "invalid argument";
    case 3: return "method not found";
    case 4: return "not found";
    case 5: return "no data";
    case 6: return "permission denied";
    case 7: return "timeout";
    case 8: return "not supported";
    case 9: return "unknown error";
    case 10: return "connection failed";
    default: return "status " + std::to_string(status);
  }
}

std::optional<std::string> parse_login(const ojson& data) {
  auto it = data.find("ubus_rpc_session");
  if (it == data.end() || !it->is_string()) return std::nullopt;
  const std::string& sid = it->get_ref<const std::string&>();
  if (sid.size() != 32 || sid.find_first_not_of("0123456789abcdef") != std::string::npos ||
      sid == std::string(32, '0')) {
    return std::nullopt;
  }
  return sid;
}

const ojson* Section::find(std::string_view option) const {
  for (const auto& [k, v] : options) {
    if (k == option) return &v;
  }
  return nullptr;
}

std::string Section::get(std::string_view option, std::string_view fallback) const {
  const ojson* v = find(option);
  if (v == nullptr) return std::string(fallback);
  if (v->is_string()) return v->get<std::string>();
  std::string out;
  for (const ojson& item : *v) {
    if (item.is_string()) out += (out.empty() ? "" : " ") + item.get<std::string>();
  }
  return out;
}

std::vector<std::string> Section::list(std::string_view option) const {
  const ojson* v = find(option);
  if (v == nullptr) return {};
  if (v->is_string()) return owrt_split(v->get<std::string>());
  std::vector<std::string> out;
  for (const ojson& item : *v) {
    if (item.is_string() && out.size() < k_max_list) {
      for (auto& p : owrt_split(item.get<std::string>())) out.push_back(std::move(p));
    }
  }
  return out;
}

json Section::to_json() const {
  json opts = json::array();
  for (const auto& [k, v] : options) {
    opts.push_back(json::array({k, json::parse(v.dump())}));
  }
  return json{{"name", name}, {"type", type}, {"anonymous", anonymous}, {"index", index}, {"options", opts}};
}

Section section_from_json(const json& j) {
  Section s;
  if (!j.is_object() || !j.contains("name") || !j["name"].is_string() || !j.contains("type") ||
      !j["type"].is_string() || !j.contains("options") || !j["options"].is_array()) {
    throw Error(ErrorKind::protocol, tr("a saved OpenWrt section is incomplete"));
  }
  s.name = j["name"].get<std::string>();
  s.type = j["type"].get<std::string>();
  s.anonymous = j.value("anonymous", false);
  s.index = j.value("index", 0);
  for (const json& kv : j["options"]) {
    if (!kv.is_array() || kv.size() != 2 || !kv[0].is_string() || !(kv[1].is_string() || kv[1].is_array())) {
      throw Error(ErrorKind::protocol, tr("a saved OpenWrt section is incomplete"));
    }
    s.options.emplace_back(kv[0].get<std::string>(), ojson::parse(kv[1].dump()));
  }
  return s;
}

std::vector<Section> parse_sections(const ojson& data) {
  std::vector<Section> out;
  auto values = data.find("values");
  if (values == data.end() || !values->is_object()) return out;
  for (auto it = values->begin(); it != values->end() && out.size() < k_max_sections; ++it) {
    const ojson& v = it.value();
    if (!v.is_object()) continue;
    Section s;
    s.name = owrt_bounded(it.key());
    for (auto o = v.begin(); o != v.end(); ++o) {
      const std::string& k = o.key();
      const ojson& val = o.value();
      if (k == ".name") {
        if (val.is_string()) s.name = owrt_bounded(val.get<std::string>());
      } else if (k == ".type") {
        if (val.is_string()) s.type = owrt_bounded(val.get<std::string>());
      } else if (k == ".anonymous") {
        s.anonymous = val.is_boolean() && val.get<bool>();
      } else if (k == ".index") {
        s.index = owrt_int(val).value_or(0);
      } else if (k.empty() || k[0] == '.' || k.size() > 64 || owrt_secret_option(k) ||
                 s.options.size() >= k_max_options) {
        continue;
      } else if (val.is_string()) {
        s.options.emplace_back(k, owrt_bounded(val.get<std::string>()));
      } else if (val.is_array()) {
        ojson items = ojson::array();
        for (const ojson& item : val) {
          if (item.is_string() && items.size() < k_max_list) items.push_back(owrt_bounded(item.get<std::string>()));
        }
        s.options.emplace_back(k, std::move(items));
      }
    }
    if (!s.name.empty()) out.push_back(std::move(s));
  }
  std::stable_sort(out.begin(), out.end(), [](const Section& a, const Section& b) { return a.index < b.index; });
  return out;
}

std::optional<bool> uci_bool(std::string_view value) {
  std::string l = owrt_lower(value);
  if (l == "1" || l == "yes" || l == "on" || l == "true" || l == "enabled") return true;
  if (l == "0" || l == "no" || l == "off" || l == "false" || l == "disabled") return false;
  return std::nullopt;
}

std::optional<std::pair<uint16_t, uint16_t>> parse_ports(std::string_view text) {
  size_t sep = text.find_first_of("-:");
  auto a = owrt_port(text.substr(0, sep));
  if (!a) return std::nullopt;
  if (sep == std::string_view::npos) return std::make_pair(*a, *a);
  auto b = owrt_port(text.substr(sep + 1));
  if (!b || *b < *a) return std::nullopt;
  return std::make_pair(*a, *b);
}

bool is_stock_rule(const Section& s) {
  struct Stock {
    const char* name;
    const char* proto;
    const char* dest_port;
    const char* family;
    const char* dest;
  };
  static const Stock k_stock[] = {
      {"Allow-DHCP-Renew", "udp", "68", "ipv4", ""},
      {"Allow-Ping", "icmp", "", "ipv4", ""},
      {"Allow-IGMP", "igmp", "", "ipv4", ""},
      {"Allow-DHCPv6", "udp", "546", "ipv6", ""},
      {"Allow-MLD", "icmp", "", "ipv6", ""},
      {"Allow-ICMPv6-Input", "icmp", "", "ipv6", ""},
      {"Allow-ICMPv6-Forward", "icmp", "", "ipv6", "*"},
      {"Allow-IPSec-ESP", "esp", "", "", "lan"},
      {"Allow-ISAKMP", "udp", "500", "", "lan"},
  };
  std::string name = s.get("name");
  for (const Stock& k : k_stock) {
    if (name == k.name && s.get("proto") == k.proto && s.get("dest_port") == k.dest_port &&
        s.get("family") == k.family && s.get("dest") == k.dest && owrt_lower(s.get("target")) == "accept") {
      return true;
    }
  }
  return false;
}

Firewall parse_firewall(const std::vector<Section>& sections) {
  Firewall fw;
  std::vector<std::string> wan_zones;
  for (const Section& s : sections) {
    if (s.type == "zone" && s.get("name") == "wan") {
      wan_zones.push_back("wan");
      if (s.find("input") != nullptr) fw.wan_input = printable(s.get("input"), 16);
      if (s.find("forward") != nullptr) fw.wan_forward = printable(s.get("forward"), 16);
      fw.wan_networks = s.list("network");
    }
  }
  if (wan_zones.empty()) wan_zones.push_back("wan");
  if (fw.wan_networks.empty()) fw.wan_networks = {"wan", "wan6"};
  for (const Section& s : sections) {
    bool enabled = uci_bool(s.get("enabled", "1")).value_or(true);
    if (s.type == "redirect") {
      std::string target = owrt_lower(s.get("target", "dnat"));
      if (target != "dnat" || !owrt_from_wan(s, wan_zones)) continue;
      std::string label = printable(s.get("name", s.name), 60);
      std::string dest_ip = s.get("dest_ip");
      std::string family = owrt_lower(s.get("family"));
      bool v6 = family == "ipv6" || owrt_is_ipv6(dest_ip);
      if (s.find("src_dport") == nullptr) {
        if (dest_ip.empty() || !enabled) continue;
        Dmz d;
        d.enabled = true;
        d.host = printable(dest_ip, 45);
        d.vendor_data = json{{"openwrt", {{"section", s.name}, {"enabled", s.find("enabled") != nullptr ? json(s.get("enabled")) : json()}}}};
        (v6 ? fw.exposed_host6 : fw.exposed_host) = d;
        continue;
      }
      auto ext = parse_ports(s.get("src_dport"));
      if (!ext || s.list("src_dport").size() != 1 || (!owrt_is_ipv4(dest_ip) && !v6) || v6) {
        fw.skipped.push_back(label);
        continue;
      }
      std::optional<std::pair<uint16_t, uint16_t>> internal = ext;
      if (s.find("dest_port") != nullptr) internal = parse_ports(s.get("dest_port"));
      if (!internal) {
        fw.skipped.push_back(label);
        continue;
      }
      bool other = false;
      for (Protocol p : owrt_protocols(s.list("proto"), &other)) {
        PortForward f;
        f.protocol = p;
        f.external_port = ext->first;
        f.external_port_end = ext->second;
        f.internal_host = dest_ip;
        f.internal_port = internal->first;
        f.description = valid_utf8(s.get("name"));
        f.origin = {"webui"};
        f.enabled = enabled;
        f.id = s.name;
        std::string src_ip = s.get("src_ip");
        f.remote_host = owrt_is_ipv4(src_ip) ? src_ip : (src_ip.empty() ? "" : printable(src_ip, 45));
        f.vendor_data = json{{"openwrt", {{"section", s.to_json()}}}};
        fw.forwards.push_back(std::move(f));
      }
      if (other) fw.skipped.push_back(label + " (" + printable(s.get("proto"), 30) + ")");
    } else if (s.type == "rule") {
      if (owrt_lower(s.get("target")) != "accept" || !owrt_from_wan(s, wan_zones) || is_stock_rule(s)) continue;
      std::string dest = s.get("dest");
      std::string family = owrt_lower(s.get("family"));
      std::string dest_ip = s.get("dest_ip");
      std::vector<std::pair<uint16_t, uint16_t>> ports;
      for (const std::string& p : s.list("dest_port")) {
        if (auto r = parse_ports(p)) ports.push_back(*r);
      }
      if (dest.empty()) {
        InputRule r;
        r.section = s.name;
        r.name = printable(s.get("name", s.name), 60);
        r.protos = s.list("proto");
        if (r.protos.empty()) r.protos = {"tcp", "udp"};
        r.ports = ports;
        r.enabled = enabled;
        r.marked = s.find(k_marker) != nullptr;
        r.family = family;
        fw.input_rules.push_back(std::move(r));
      } else if (family == "ipv6" || owrt_is_ipv6(dest_ip) || (family.empty() && !owrt_is_ipv4(dest_ip))) {
        bool other = false;
        std::vector<Protocol> protos = owrt_protocols(s.list("proto"), &other);
        if (ports.empty()) ports.push_back({0, 0});
        for (const auto& pr : ports) {
          for (Protocol p : protos) {
            Pinhole h;
            h.protocol = p;
            h.any_protocol = other && s.list("proto").size() == 1;
            h.internal_host = owrt_is_ipv6(dest_ip) ? dest_ip : "";
            h.port = pr.first;
            h.port_end = pr.second;
            std::string src_ip = s.get("src_ip");
            h.remote_host = owrt_is_ipv6(src_ip) ? src_ip : "";
            h.origin = {"webui"};
            h.id = s.name;
            h.enabled = enabled;
            h.description = valid_utf8(s.get("name"));
            bool any = h.any_protocol;
            fw.pinholes.push_back(std::move(h));
            if (any) break;
          }
        }
      }
    }
  }
  return fw;
}

Upnpd parse_upnpd(const std::vector<Section>& sections) {
  Upnpd u;
  for (const Section& s : sections) {
    if (s.type == "upnpd") {
      u.section = s.name;
      u.enabled_option_present = s.find("enabled") != nullptr;
      u.enabled = uci_bool(s.get("enabled", "1"));
      u.marked = s.find(k_marker) != nullptr;
      u.secure_mode = uci_bool(s.get("secure_mode", "1"));
      if (uci_bool(s.get("allow_third_party_mapping")) == true) {
        u.secure_mode = false;
      }
      u.lease_file = s.get("upnp_lease_file", s.get("lease_file"));
      if (auto p = owrt_port(s.get("port", "5000"))) u.port = *p;
      break;
    }
  }
  for (const Section& s : sections) {
    if (s.type == "perm_rule" && owrt_lower(s.get("action")) == "allow") {
      auto ext = parse_ports(s.get("ext_ports"));
      auto in = parse_ports(s.get("int_ports"));
      if ((s.get("ext_ports").rfind("0-", 0) == 0) || (ext && ext->first < 1024) || (in && in->first < 1024) ||
          s.get("int_ports").rfind("0-", 0) == 0) {
        u.allows_low_ports = true;
      }
    }
  }
  return u;
}

std::vector<PortForward> parse_leases(std::string_view text, std::vector<std::string>* skipped) {
  std::vector<PortForward> out;
  size_t lines = 0;
  while (!text.empty() && lines < 1024) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    ++lines;
    std::vector<std::string_view> f;
    size_t at = 0;
    while (f.size() < 5) {
      size_t c = line.find(':', at);
      if (c == std::string_view::npos) break;
      f.push_back(line.substr(at, c - at));
      at = c + 1;
    }
    std::string_view rest = at <= line.size() ? line.substr(at) : std::string_view{};
    auto proto = parse_protocol(owrt_lower(f.empty() ? std::string_view{} : f[0]));
    if (f.size() < 4 || !proto) {
      if (skipped != nullptr) skipped->push_back(printable(line, 60));
      continue;
    }
    auto ext = owrt_port(f[1]);
    auto in = owrt_port(f[3]);
    std::string host(f[2]);
    if (!ext || !in || !owrt_is_ipv4(host)) {
      if (skipped != nullptr) skipped->push_back(printable(line, 60));
      continue;
    }
    PortForward p;
    p.protocol = *proto;
    p.external_port = p.external_port_end = *ext;
    p.internal_host = host;
    p.internal_port = *in;
    p.description = owrt_bounded(rest);
    p.origin = {"upnp"};
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<uint16_t> admin_ports(const std::vector<Section>& uhttpd, const std::vector<Section>& dropbear) {
  std::vector<uint16_t> out;
  auto add = [&](uint16_t p) {
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  };
  for (const Section& s : uhttpd) {
    if (s.type != "uhttpd") continue;
    for (const char* opt : {"listen_http", "listen_https"}) {
      for (const std::string& l : s.list(opt)) {
        size_t c = l.rfind(':');
        if (auto p = owrt_port(c == std::string::npos ? std::string_view(l) : std::string_view(l).substr(c + 1))) add(*p);
      }
    }
  }
  for (const Section& s : dropbear) {
    if (s.type == "dropbear" && uci_bool(s.get("enable", "1")).value_or(true)) {
      if (auto p = owrt_port(s.get("Port", "22"))) add(*p);
    }
  }
  if (out.empty()) out = {22, 80, 443};
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<WireGuard> parse_wireguard(const std::vector<Section>& network) {
  std::vector<WireGuard> out;
  for (const Section& s : network) {
    if (s.type == "interface" && s.get("proto") == "wireguard") {
      WireGuard w;
      w.name = printable(s.name, 32);
      if (auto p = owrt_port(s.get("listen_port"))) w.listen_port = *p;
      w.disabled = uci_bool(s.get("disabled", "0")).value_or(false);
      out.push_back(std::move(w));
    }
  }
  for (const Section& s : network) {
    for (WireGuard& w : out) {
      if (s.type == "wireguard_" + w.name && w.peers.size() < 256) {
        std::string d = printable(s.get("description"), 40);
        w.peers.push_back(d.empty() ? "peer " + std::to_string(w.peers.size() + 1) : d);
      }
    }
  }
  return out;
}

Wan parse_interface_dump(const ojson& data, const std::vector<std::string>& names) {
  Wan w;
  auto list = data.find("interface");
  if (list == data.end() || !list->is_array()) return w;
  for (const ojson& i : *list) {
    if (!i.is_object()) continue;
    auto name = i.find("interface");
    if (name == i.end() || !name->is_string() ||
        std::find(names.begin(), names.end(), name->get<std::string>()) == names.end()) {
      continue;
    }
    auto up = i.find("up");
    if (up == i.end() || !up->is_boolean() || !up->get<bool>()) continue;
    auto v4 = i.find("ipv4-address");
    if (w.ipv4.empty() && v4 != i.end() && v4->is_array()) {
      for (const ojson& a : *v4) {
        if (a.is_object() && a.contains("address") && a["address"].is_string() &&
            owrt_is_ipv4(a["address"].get<std::string>())) {
          w.ipv4 = a["address"].get<std::string>();
          break;
        }
      }
    }
    auto v6 = i.find("ipv6-address");
    if (v6 != i.end() && v6->is_array()) {
      if (!w.ipv6) w.ipv6 = false;
      for (const ojson& a : *v6) {
        if (a.is_object() && a.contains("address") && a["address"].is_string() &&
            owrt_is_ipv6(a["address"].get<std::string>())) {
          w.ipv6 = true;
        }
      }
    }
  }
  return w;
}

Board parse_board(const ojson& data) {
  Board b;
  auto str = [](const ojson& o, const char* k) {
    auto it = o.find(k);
    return (it != o.end() && it->is_string()) ? printable(it->get<std::string>(), 60) : std::string();
  };
  b.model = str(data, "model");
  b.board_name = str(data, "board_name");
  auto rel = data.find("release");
  if (rel != data.end() && rel->is_object()) {
    b.firmware = str(*rel, "description");
    if (b.firmware.empty()) b.firmware = str(*rel, "version");
  }
  return b;
}

}  // namespace bw::openwrt
