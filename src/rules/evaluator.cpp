// The rules: which finding each part of a RouterState yields under a profile.
// The sentences live in wording.cpp.
#include "rules/evaluator.hpp"

#include <algorithm>
#include <array>

#include "core/i18n.hpp"
#include "rules/catalogue.hpp"
#include "rules/text_util.hpp"
#include "rules/wording.hpp"

namespace bw {
namespace {

constexpr std::array k_rules = std::to_array<RuleInfo>({
    {rule_id::expose_service, "a forward or UPnP mapping of a catalogued service (DICOM, RDP, SMB, ...)"},
    {rule_id::expose_port, "a forward or UPnP mapping of another port the profile does not allow"},
    {rule_id::expose_allowed, "an opening the profile allows (info, no action)"},
    {rule_id::expose_vpn, "a VPN server (IPsec, OpenVPN, L2TP, WireGuard on another port) the profile does not name: noted, not removed"},
    {rule_id::expose_dmz, "the DMZ is on: every port of one LAN device is open"},
    {rule_id::upnp_enabled, "UPnP IGD is on: LAN programs can open ports without asking"},
    {rule_id::upnp_foreign_host, "a UPnP mapping towards an address outside the LAN or the box itself"},
    {rule_id::admin_wan, "the box's administration can be reached from the Internet"},
    {rule_id::ipv6_firewall_off, "the IPv6 firewall is off or at its lowest level: every LAN device is reachable over IPv6"},
    {rule_id::expose_ipv6_host, "an IPv6 exposed host: every port of one LAN device is open over IPv6"},
    {rule_id::state_unknown, "a setting the box did not let the tool read (never assumed safe)"},
});

Finding make(std::string_view rule, Severity severity, Subject subject, std::string_view action) {
  Finding f;
  f.rule = std::string(rule);
  f.severity = severity;
  f.subject = std::move(subject);
  f.action = std::string(action);
  return f;
}

Subject forward_subject(const PortForward& pf) {
  Subject s;
  s.kind = SubjectKind::port_forward;
  s.forward = pf;
  return s;
}

// Classes whose services do not lead to the site's data: no data reason for them.
constexpr std::array<std::string_view, 4> k_dataless_classes = {"gaming", "vpn", "voip", "amplification"};

// Marks the exposures that may reach the site's data (medium and above, and not a game, VPN,
// telephony or amplification service): the report then says the data reason once.
void add_data_reason(Finding& f, const Profile& p) {
  std::string reason = wording::data_reason(p.data_class);
  bool dataless = std::find(k_dataless_classes.begin(), k_dataless_classes.end(), f.service_class) !=
                  k_dataless_classes.end();
  if (!reason.empty() && f.severity >= Severity::medium && !dataless) {
    f.data_at_risk = true;
  }
}

// A rule the ISP put on the box to manage it remotely (TR-069, origin "cwmp..."): it leads to
// the box, not to a computer of the site, so it never says the site's data could be read.
bool isp_rule(const PortForward& pf) {
  return std::any_of(pf.origin.begin(), pf.origin.end(), [](const std::string& o) { return o.rfind("cwmp", 0) == 0; });
}

// The catalogued services a forward reaches, by its external and its internal ports.
std::vector<const Service*> services_of(const PortForward& pf) {
  uint16_t last = std::max(pf.external_port, pf.external_port_end);
  std::vector<const Service*> found = services_in_range(pf.protocol, pf.external_port, last);
  if (pf.internal_port != 0 && pf.internal_port != pf.external_port) {
    unsigned internal_last = std::min(65535u, unsigned(pf.internal_port) + (last - pf.external_port));
    for (const Service* s : services_in_range(pf.protocol, pf.internal_port, uint16_t(internal_last))) {
      if (std::find(found.begin(), found.end(), s) == found.end()) {
        found.push_back(s);
      }
    }
  }
  return found;
}

// LAN: the RFC 1918 ranges, plus the box's own /24 when the box uses another range
// (never loopback: a mapping towards 127.0.0.0/8 is never a LAN device).
bool is_lan_address(uint32_t address, const RouterState& state) {
  if ((address >> 24) == 127) {
    return false;
  }
  auto box = parse_ipv4(state.address);
  return is_rfc1918(address) || (box && (*box >> 8) == (address >> 8));
}

Finding judge_forward(const Profile& p, const RouterState& state, const PortForward& pf) {
  bool upnp = is_upnp_mapping(pf);
  std::vector<const Service*> services = services_of(pf);
  const Service* main = nullptr;
  for (const Service* s : services) {
    if (main == nullptr || p.severity_for(*s) > p.severity_for(*main)) {
      main = s;
    }
  }
  Severity exposure = main != nullptr ? p.severity_for(*main)
                      : upnp          ? p.other_upnp_mapping.value_or(p.other_forward)
                                      : p.other_forward;
  // A VPN server is a safe way in, not an exposure: noted at its class severity, never lifted
  // by forward-minimum and never removed automatically (PPTP is class vpn-weak, not vpn).
  bool vpn = main != nullptr && main->class_id == "vpn";
  if (!vpn) {
    exposure = std::max(exposure, p.forward_minimum);
  }

  auto address = parse_ipv4(pf.internal_host);
  bool is_box = !pf.internal_host.empty() && (pf.internal_host == state.address ||
                                              (address && address == parse_ipv4(state.address)));
  bool outside = address && !is_lan_address(*address, state);
  Finding f;
  if (upnp && (is_box || outside)) {
    f = make(rule_id::upnp_foreign_host, std::max(Severity::high, exposure), forward_subject(pf),
             action_id::delete_port_forward);
    f.title = wording::foreign_title(pf, is_box);
    f.why = wording::foreign_why(is_box);
  } else if (const AllowedForward* a = p.allowance_for(pf)) {
    f = make(rule_id::expose_allowed, Severity::info, forward_subject(pf), action_id::none);
    f.allowed = true;
    f.title = wording::allowed_title(pf, *a);
    f.why = wording::allowed_why(main);
  } else if (vpn) {
    f = make(rule_id::expose_vpn, exposure, forward_subject(pf), action_id::none);
    f.title = wording::service_title(pf, *main, services.size() - 1);
    f.why = tr("A VPN server: encrypted and authenticated, a better way in than open ports; keep it updated. "
               "The profile names only its own VPN port, so check this one is yours.");
  } else if (main != nullptr) {
    f = make(rule_id::expose_service, exposure, forward_subject(pf), action_id::delete_port_forward);
    f.title = wording::service_title(pf, *main, services.size() - 1);
    f.why = wording::service_why(*main, upnp);
  } else {
    f = make(rule_id::expose_port, exposure, forward_subject(pf), action_id::delete_port_forward);
    f.title = wording::port_title(pf, p.name);
    f.why = wording::port_why(upnp);
  }
  if (main != nullptr) {
    f.service = std::string(main->name);
    f.service_class = std::string(main->class_id);
    f.service_id = std::string(main->id);
  }
  if (isp_rule(pf) && (f.rule == rule_id::expose_service || f.rule == rule_id::expose_port)) {
    f.why = wording::isp_rule_why();
  } else if (f.rule == rule_id::expose_service || f.rule == rule_id::expose_port) {
    add_data_reason(f, p);
  }
  return f;
}

// A pinhole is judged like the forward it amounts to (same catalogue, allowances and
// severities), then worded "over IPv6". Every port of a host, or a hole whose details the box
// hides, cannot be judged by its service: the first like the DMZ, the second at the severity of
// an unknown UPnP port.
PortForward as_forward(const Pinhole& p, Protocol protocol) {
  PortForward f;
  f.protocol = protocol;
  f.external_port = p.port;
  f.external_port_end = std::max(p.port, p.port_end);
  f.internal_host = p.internal_host;
  f.internal_port = p.port;
  f.origin = p.origin;
  f.remote_host = p.remote_host;
  f.description = p.description;
  f.enabled = p.enabled;
  return f;
}

Finding judge_pinhole(const Profile& p, const RouterState& state, const Pinhole& ph) {
  Subject subject;
  subject.kind = SubjectKind::ipv6_pinhole;
  subject.pinhole = ph;
  bool upnp = std::find(ph.origin.begin(), ph.origin.end(), "upnp") != ph.origin.end();
  if (ph.details_hidden) {
    Severity s = std::max(p.other_upnp_mapping.value_or(p.other_forward), p.forward_minimum);
    // A person closes it: UPnP lets only the device that opened it do so (the plan says how).
    Finding f = make(rule_id::expose_port, s, subject, action_id::manual);
    f.title = wording::hidden_pinhole_title(ph);
    f.why = wording::hidden_pinhole_why();
    add_data_reason(f, p);
    return f;
  }
  if (ph.port == 0) {
    Finding f = make(rule_id::expose_port, p.dmz.allowed ? std::max(Severity::high, p.forward_minimum) : p.dmz.severity,
                     subject, action_id::delete_pinhole);
    f.title = wording::all_ports_pinhole_title(ph);
    f.why = wording::ipv6_why(upnp);
    add_data_reason(f, p);
    return f;
  }
  // A hole for every protocol is judged as the worse of its TCP and UDP readings.
  Finding f = judge_forward(p, state, as_forward(ph, ph.any_protocol ? Protocol::tcp : ph.protocol));
  if (ph.any_protocol) {
    Finding udp = judge_forward(p, state, as_forward(ph, Protocol::udp));
    if (udp.severity > f.severity || (f.allowed && !udp.allowed)) {
      f = udp;
    }
  }
  f.subject = subject;
  if (f.action == action_id::delete_port_forward) {
    f.action = std::string(action_id::delete_pinhole);
  }
  f.title = wording::over_ipv6(f.title);
  if (!f.allowed) {
    f.why = wording::ipv6_why(upnp) + " " + f.why;
  }
  return f;
}

Finding judge_setting(std::string_view rule, const Policy& policy, SubjectKind kind, std::string_view action) {
  Subject s;
  s.kind = kind;
  Finding f = make(rule, policy.allowed ? Severity::info : policy.severity, s, policy.allowed ? action_id::none : action);
  f.allowed = policy.allowed;
  return f;
}

}  // namespace

std::span<const RuleInfo> rules() {
  return k_rules;
}

// Every plugin names the origin of what it reads; a mapping a program made is "upnp".
bool is_upnp_mapping(const PortForward& f) {
  return std::find(f.origin.begin(), f.origin.end(), "upnp") != f.origin.end();
}

std::vector<Finding> evaluate(const Profile& profile, const RouterState& state) {
  std::vector<Finding> findings;
  for (const PortForward& pf : state.port_forwards) {
    if (pf.enabled) {
      findings.push_back(judge_forward(profile, state, pf));
    }
  }
  if (state.dmz && state.dmz->enabled) {
    Finding f = judge_setting(rule_id::expose_dmz, profile.dmz, SubjectKind::dmz, action_id::disable_dmz);
    f.subject.dmz = *state.dmz;
    f.title = wording::dmz_title(*state.dmz, f.allowed);
    f.why = wording::dmz_why(profile.data_class, f.allowed);
    f.data_at_risk = !f.allowed && !wording::data_reason(profile.data_class).empty();
    findings.push_back(std::move(f));
  }
  for (const Pinhole& ph : state.pinholes) {
    if (ph.enabled) {
      findings.push_back(judge_pinhole(profile, state, ph));
    }
  }
  if (state.ipv6_enabled != false && state.ipv6_firewall_enabled == false) {
    Finding f = judge_setting(rule_id::ipv6_firewall_off, profile.ipv6_firewall_off.value_or(profile.dmz),
                              SubjectKind::ipv6_firewall, action_id::enable_ipv6_firewall);
    f.subject.ipv6_level = state.ipv6_firewall_level;
    f.title = wording::ipv6_firewall_title(state.ipv6_firewall_level, f.allowed);
    f.why = wording::ipv6_firewall_why(f.allowed);
    f.data_at_risk = !f.allowed && !wording::data_reason(profile.data_class).empty();
    findings.push_back(std::move(f));
  }
  if (state.ipv6_enabled != false && state.ipv6_exposed_host && state.ipv6_exposed_host->enabled) {
    Finding f = judge_setting(rule_id::expose_ipv6_host, profile.dmz, SubjectKind::ipv6_exposed_host,
                              action_id::manual);
    f.subject.dmz = *state.ipv6_exposed_host;
    f.title = wording::ipv6_host_title(*state.ipv6_exposed_host, f.allowed);
    f.why = wording::ipv6_why(false) + " " + wording::dmz_why(profile.data_class, f.allowed);
    f.data_at_risk = !f.allowed && !wording::data_reason(profile.data_class).empty();
    findings.push_back(std::move(f));
  }
  if (state.upnp_igd_enabled.value_or(false)) {
    Finding f = judge_setting(rule_id::upnp_enabled, profile.upnp_enabled, SubjectKind::upnp_igd,
                              action_id::disable_upnp);
    f.title = wording::upnp_title(f.allowed);
    f.why = wording::upnp_why(f.allowed);
    findings.push_back(std::move(f));
  }
  if (state.remote_admin_enabled.value_or(false)) {
    Finding f = judge_setting(rule_id::admin_wan, profile.remote_admin, SubjectKind::remote_admin,
                              action_id::disable_remote_admin);
    f.title = wording::admin_title(f.allowed);
    f.why = wording::admin_why(f.allowed);
    if (!f.allowed) {
      add_data_reason(f, profile);
    }
    findings.push_back(std::move(f));
  }
  for (const std::string& field : state.unknown()) {
    Subject s;
    s.kind = SubjectKind::unknown_field;
    s.field = field;
    Finding f = make(rule_id::state_unknown, profile.unknown_field, s, action_id::manual);
    f.title = wording::unknown_title(field, state.apis);
    f.why = wording::unknown_why(field);
    findings.push_back(std::move(f));
  }
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  return findings;
}

}  // namespace bw
