// Hardening profiles: what a kind of site (home, small office, medical practice) may
// expose, and how severe each exposure is. A profile is a small text file a
// technician copies and edits; the format is documented in profiles/README.md.
//
// Every error in a profile (unknown key, bad value, duplicate key, missing name) is
// thrown as Error(ErrorKind::usage, "FILE:LINE: <what is wrong>; <what to do>").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/router_state.hpp"
#include "core/severity.hpp"
#include "rules/catalogue.hpp"

namespace bw {

// The kind of data the site's network holds; it adds a reason to exposure findings.
enum class DataClass { personal, business, health };
std::string_view to_string(DataClass c);  // "personal", "business", "health"
std::optional<DataClass> parse_data_class(std::string_view text);

// Policy for one box setting (DMZ, UPnP IGD, remote admin): when the setting is on,
// either the profile allows it (an info finding, allowed, no action) or it is a
// finding of `severity`.
struct Policy {
  bool allowed = false;
  Severity severity = Severity::high;
};

// An opening the profile expects: `allow 51820/udp [host 192.168.1.5] [purpose ...]`.
struct AllowedForward {
  ProtocolSet protocols = ProtocolSet::tcp;
  uint16_t port_first = 0;
  uint16_t port_last = 0;
  std::string host;     // "" = any LAN host
  std::string purpose;  // free text from the profile ("WireGuard VPN"); may be ""
  int line = 0;         // where it is written, for messages

  // True when the whole external range of `f` lies inside this opening, for a
  // protocol it covers, and (when host is set) towards that host.
  bool matches(const PortForward& f) const;
};

struct Profile {
  std::string name;     // "medical-practice"
  std::string summary;  // one line
  DataClass data_class = DataClass::personal;

  Policy dmz{false, Severity::high};
  Policy upnp_enabled{false, Severity::medium};
  Policy remote_admin{false, Severity::high};
  // The IPv6 firewall off or at its lowest level: every LAN machine open, like a DMZ for
  // each; unset = the dmz policy.
  std::optional<Policy> ipv6_firewall_off;

  Severity other_forward = Severity::medium;       // uncatalogued port, not allowed
  std::optional<Severity> other_upnp_mapping;      // same, made through UPnP; unset = other_forward
  Severity forward_minimum = Severity::info;       // floor for every forward not allowed
  Severity unknown_field = Severity::medium;       // a setting nobody could read; never info
  std::map<std::string, Severity, std::less<>> class_severity;  // class id -> override
  std::vector<AllowedForward> allowed;
  // Whether fix deletes forwards the box or the ISP made (origins "cwmp*", "internal"):
  // by default they are left, with a manual step (`managed-forwards delete` to change it).
  bool delete_managed_forwards = false;

  std::string path;  // the file it was read from ("" when parsed from a string)
  std::string text;  // the file's text as written (for `boxwarden profiles NAME`)

  // The severity of `service` under this profile: the class override, else the
  // catalogue default.
  Severity severity_for(const Service& service) const;
  // The first allowed opening matching `f`, or nullptr.
  const AllowedForward* allowance_for(const PortForward& f) const;
};

// Parses profile text. `file` names the source in messages. When `expected_name` is
// not empty, the `name` key must equal it (a profile file is named after its profile).
Profile parse_profile(std::string_view text, const std::string& file,
                      const std::string& expected_name = "");

// Reads and parses one file; `NAME.profile` must contain `name NAME`.
Profile load_profile_file(const std::string& path);

// A value containing '/' or ending in ".profile" is a file path; anything else is a
// profile name looked up in profile_search_path() order (the first match wins).
// An unknown name is an error listing the available names.
Profile load_profile(const std::string& name_or_file);

// Where names are looked up, in order: $XDG_CONFIG_HOME/boxwarden/profiles (default
// ~/.config/boxwarden/profiles), each directory of $BOXWARDEN_PROFILE_PATH
// (colon-separated), the installed directory, then the source tree's profiles/.
// Directories that do not exist are kept (callers may print the list).
std::vector<std::string> profile_search_path();

struct ProfileInfo {
  std::string name;
  std::string summary;  // "(cannot be loaded: ...)" when the file has an error
  std::string path;
};

// Every profile reachable by name, sorted by name; a name found in several
// directories is listed once, from the directory that wins the lookup.
std::vector<ProfileInfo> list_profiles();

}  // namespace bw
