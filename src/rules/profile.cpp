// Profile parsing and the Profile helpers. File lookup lives in profile_search.cpp.
#include "rules/profile.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"
#include "rules/text_util.hpp"

namespace bw {
namespace {

// The summaries of the shipped profiles (profiles/*.profile), for xgettext: the text report
// prints a profile's summary through tr(), so these come out translated and a person's own
// profile as written.
[[maybe_unused]] constexpr const char* k_shipped_summaries[] = {
    N_("A household: a game console may use UPnP; no DMZ, no administration from the Internet"),
    N_("A medical practice (health data, GDPR Art. 9): nothing inbound except the WireGuard VPN port"),
    N_("A small office: no UPnP, no DMZ, no remote administration; only the forwards it names"),
    N_("Nothing inbound at all: every forward, mapping, DMZ, UPnP and remote administration is a finding"),
};

constexpr std::array<std::string_view, 14> k_keys = {
    "name",          "summary",       "data-class",        "dmz",           "upnp-enabled",
    "remote-admin",  "ipv6-firewall-off", "other-forward", "other-upnp-mapping",
    "forward-minimum", "unknown-field", "class",           "allow",         "managed-forwards"};

constexpr std::string_view k_severities = "info, low, medium, high or critical";
constexpr std::string_view k_allow_syntax = "write 'allow PORT[-LAST]/tcp|udp|both [host ADDRESS] [purpose TEXT]'";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// The line without its comment: '#' starts one at the start or after a blank.
std::string_view strip_comment(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' && (i == 0 || is_space(line[i - 1]))) {
      return line.substr(0, i);
    }
  }
  return line;
}

// The first word of `s` and what follows it (trimmed).
std::pair<std::string_view, std::string_view> split_first(std::string_view s) {
  s = trim(s);
  std::size_t end = 0;
  while (end < s.size() && !is_space(s[end])) {
    ++end;
  }
  return {s.substr(0, end), trim(s.substr(end))};
}

std::optional<uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<uint16_t>(value);
}

bool is_profile_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// One parse: remembers where each key was set, so duplicates name both lines.
class Parser {
 public:
  explicit Parser(const std::string& file) : m_file(file) {}

  int name_line() const { return m_name_line; }

  [[noreturn]] void fail(std::string_view what) const {
    throw Error(ErrorKind::usage, m_file + ":" + std::to_string(m_line) + ": " + std::string(what));
  }

  void parse(std::string_view text, Profile& p) {
    while (!text.empty()) {
      std::size_t newline = text.find('\n');
      std::string_view line = text.substr(0, newline);
      text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
      ++m_line;
      auto [key, rest] = split_first(strip_comment(line));
      if (!key.empty()) {
        parse_line(key, rest, p);
      }
    }
    if (p.name.empty()) {
      throw Error(ErrorKind::usage, m_file + ": missing 'name'; add a line such as 'name my-site'");
    }
    if (p.summary.empty()) {
      throw Error(ErrorKind::usage,
                  m_file + ": missing 'summary'; add a line 'summary <one line saying who this profile is for>'");
    }
  }

 private:
  void parse_line(std::string_view key, std::string_view rest, Profile& p) {
    if (std::find(k_keys.begin(), k_keys.end(), key) == k_keys.end()) {
      std::string hint = closest_match(key, k_keys);
      std::string keys;
      for (std::string_view k : k_keys) {
        keys += (keys.empty() ? "" : ", ") + std::string(k);
      }
      fail("unknown key '" + printable(key) + "'; " +
           (hint.empty() ? "use one of: " + keys : "did you mean '" + hint + "'?"));
    }
    if (rest.empty()) {
      fail("'" + std::string(key) + "' needs a value; see profiles/README.md");
    }
    if (key == "allow") {
      parse_allow(rest, p);
      return;
    }
    if (key == "class") {
      parse_class(rest, p);
      return;
    }
    note_once(key);
    if (key == "summary") {
      p.summary = std::string(rest);
      return;
    }
    std::string_view value = single_value(key, rest);
    if (key == "name") {
      if (!is_profile_name(value)) {
        fail("bad name '" + printable(value) + "'; use lower-case letters, digits and '-'");
      }
      p.name = std::string(value);
      m_name_line = m_line;
    } else if (key == "data-class") {
      auto c = parse_data_class(value);
      if (!c) {
        fail("bad data-class '" + printable(value) + "'; use personal, business or health");
      }
      p.data_class = *c;
    } else if (key == "dmz") {
      p.dmz = policy(key, value);
    } else if (key == "upnp-enabled") {
      p.upnp_enabled = policy(key, value);
    } else if (key == "remote-admin") {
      p.remote_admin = policy(key, value);
    } else if (key == "ipv6-firewall-off") {
      p.ipv6_firewall_off = policy(key, value);
    } else if (key == "other-forward") {
      p.other_forward = severity(key, value);
    } else if (key == "other-upnp-mapping") {
      p.other_upnp_mapping = severity(key, value);
    } else if (key == "forward-minimum") {
      p.forward_minimum = severity(key, value);
    } else if (key == "unknown-field") {
      p.unknown_field = severity(key, value);
      if (p.unknown_field == Severity::info) {
        fail("'unknown-field' cannot be info: a setting nobody could read is never safe; use low or above");
      }
    } else if (key == "managed-forwards") {
      if (value != "leave" && value != "delete") {
        fail("bad managed-forwards '" + printable(value) + "'; use leave or delete");
      }
      p.delete_managed_forwards = value == "delete";
    }
  }

  void note_once(std::string_view key) {
    auto [it, inserted] = m_seen.emplace(std::string(key), m_line);
    if (!inserted) {
      fail("'" + std::string(key) + "' is already set at line " + std::to_string(it->second) +
           "; keep only one of the two lines");
    }
  }

  std::string_view single_value(std::string_view key, std::string_view rest) const {
    auto [value, extra] = split_first(rest);
    if (!extra.empty()) {
      fail("'" + std::string(key) + "' takes one value, but '" + printable(extra) +
           "' follows it; remove it or start it with '#' to make it a comment");
    }
    return value;
  }

  Severity severity(std::string_view key, std::string_view value) const {
    auto s = parse_severity(value);
    if (!s) {
      fail("bad severity '" + printable(value) + "' for '" + std::string(key) + "'; use " +
           std::string(k_severities));
    }
    return *s;
  }

  Policy policy(std::string_view key, std::string_view value) const {
    if (value == "allow") {
      return Policy{true, Severity::info};
    }
    auto s = parse_severity(value);
    if (!s) {
      fail("bad value '" + printable(value) + "' for '" + std::string(key) + "'; use allow, or a severity: " +
           std::string(k_severities));
    }
    return Policy{false, *s};
  }

  void parse_class(std::string_view rest, Profile& p) {
    auto [id, value] = split_first(rest);
    if (find_service_class(id) == nullptr) {
      std::string known;
      for (const ServiceClass& c : service_classes()) {
        known += (known.empty() ? "" : ", ") + std::string(c.id);
      }
      fail("unknown service class '" + printable(id) + "'; use one of: " + known);
    }
    if (value.empty()) {
      fail("'class " + std::string(id) + "' needs a severity; use " + std::string(k_severities));
    }
    Severity s = severity("class " + std::string(id), single_value("class " + std::string(id), value));
    auto [it, inserted] = m_classes.emplace(std::string(id), m_line);
    if (!inserted) {
      fail("'class " + std::string(id) + "' is already set at line " + std::to_string(it->second) +
           "; keep only one of the two lines");
    }
    p.class_severity[std::string(id)] = s;
  }

  void parse_allow(std::string_view rest, Profile& p) {
    AllowedForward a;
    a.line = m_line;
    auto [spec, options] = split_first(rest);
    parse_port_spec(spec, a);
    while (!options.empty()) {
      auto [word, after] = split_first(options);
      if (word == "purpose") {
        if (after.empty()) {
          fail("'purpose' needs a text, e.g. 'purpose WireGuard VPN'");
        }
        a.purpose = std::string(after);
        break;
      }
      if (word != "host") {
        fail("unexpected '" + printable(word) + "' in 'allow'; " + std::string(k_allow_syntax));
      }
      auto [host, next] = split_first(after);
      auto canonical = canonical_ip(host);
      if (!a.host.empty() || !canonical) {
        fail("'host' needs one IPv4 or IPv6 address such as 192.168.1.10, not '" + printable(host) + "'; " +
             std::string(k_allow_syntax));
      }
      a.host = *canonical;
      options = next;
    }
    for (const AllowedForward& other : p.allowed) {
      if (other.protocols == a.protocols && other.port_first == a.port_first &&
          other.port_last == a.port_last && other.host == a.host) {
        fail("this opening is already allowed at line " + std::to_string(other.line) +
             "; keep only one of the two lines");
      }
    }
    p.allowed.push_back(std::move(a));
  }

  void parse_port_spec(std::string_view spec, AllowedForward& a) const {
    std::size_t slash = spec.find('/');
    std::string_view ports = spec.substr(0, slash);
    std::string_view proto = slash == std::string_view::npos ? std::string_view() : spec.substr(slash + 1);
    std::size_t dash = ports.find('-');
    auto first = parse_port(ports.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : parse_port(ports.substr(dash + 1));
    if (!first || !last || *last < *first) {
      fail("bad port '" + printable(spec) + "' in 'allow'; ports are 1-65535 (a range is FIRST-LAST); " +
           std::string(k_allow_syntax));
    }
    if (proto == "tcp") {
      a.protocols = ProtocolSet::tcp;
    } else if (proto == "udp") {
      a.protocols = ProtocolSet::udp;
    } else if (proto == "both") {
      a.protocols = ProtocolSet::both;
    } else {
      fail("bad protocol in '" + printable(spec) + "'; end the port with /tcp, /udp or /both");
    }
    a.port_first = *first;
    a.port_last = *last;
  }

  std::string m_file;
  int m_line = 0;
  int m_name_line = 0;
  std::map<std::string, int, std::less<>> m_seen;
  std::map<std::string, int, std::less<>> m_classes;
};

}  // namespace

std::string_view to_string(DataClass c) {
  switch (c) {
    case DataClass::personal: return "personal";
    case DataClass::business: return "business";
    case DataClass::health: return "health";
  }
  return "?";
}

std::optional<DataClass> parse_data_class(std::string_view text) {
  for (DataClass c : {DataClass::personal, DataClass::business, DataClass::health}) {
    if (to_string(c) == text) {
      return c;
    }
  }
  return std::nullopt;
}

bool AllowedForward::matches(const PortForward& f) const {
  uint16_t last = std::max(f.external_port, f.external_port_end);
  return covers(protocols, f.protocol) && port_first <= f.external_port && last <= port_last &&
         (host.empty() || host == canonical_ip(f.internal_host).value_or(f.internal_host));
}

Severity Profile::severity_for(const Service& service) const {
  auto it = class_severity.find(service.class_id);
  return it == class_severity.end() ? service.severity : it->second;
}

const AllowedForward* Profile::allowance_for(const PortForward& f) const {
  auto it = std::find_if(allowed.begin(), allowed.end(), [&](const AllowedForward& a) { return a.matches(f); });
  return it == allowed.end() ? nullptr : &*it;
}

Profile parse_profile(std::string_view text, const std::string& file, const std::string& expected_name) {
  Profile p;
  Parser parser(file);
  parser.parse(text, p);
  if (!expected_name.empty() && p.name != expected_name) {
    throw Error(ErrorKind::usage, file + ":" + std::to_string(parser.name_line()) + ": the name '" + p.name +
                                      "' does not match the file name; write 'name " + expected_name +
                                      "' (a profile file is named after its profile)");
  }
  p.text = std::string(text);
  return p;
}

}  // namespace bw
