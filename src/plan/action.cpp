#include "plan/action.hpp"

#include <algorithm>
#include <array>

#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/json_fields.hpp"
#include "core/text.hpp"

namespace bw {

Change change_of(const Action& a) {
  return Change{a.kind, a.target.forward, a.target.dmz, a.vpn, a.peer, a.target.pinhole, a.target.ipv6_level};
}

// "TCP port 3389 (forwarded to 192.168.1.10)": the words fix and rollback both use for a forward.
std::string forward_words(const PortForward& pf) {
  return pf.external_port == pf.external_port_end || pf.external_port_end == 0
             ? fill(tr("{protocol} port {port} (forwarded to {host})"),
                    {{"protocol", to_string(pf.protocol)}, {"port", std::to_string(pf.external_port)},
                     {"host", printable(pf.internal_host, 40)}})
             : fill(tr("{protocol} ports {first}-{last} (forwarded to {host})"),
                    {{"protocol", to_string(pf.protocol)}, {"first", std::to_string(pf.external_port)},
                     {"last", std::to_string(pf.external_port_end)}, {"host", printable(pf.internal_host, 40)}});
}

namespace {

// Plain words for undoing `a` (what a rollback lists): the words of the fix's own summary
// (planner.cpp), turned around, so that a person sees the same change both ways.
std::string undo_summary(const Action& a) {
  switch (a.kind) {
    case ChangeKind::delete_port_forward:
      return fill(tr("Reopen {forward}"), {{"forward", forward_words(*a.target.forward)}});
    case ChangeKind::add_port_forward:
      return fill(tr("Close {forward}"), {{"forward", forward_words(*a.target.forward)}});
    case ChangeKind::disable_dmz:
      return a.target.dmz && !a.target.dmz->host.empty()
                 ? fill(tr("Switch the DMZ back on (it sends everything to {host})"), {{"host", printable(a.target.dmz->host, 40)}})
                 : std::string(tr("Switch the DMZ back on"));
    case ChangeKind::disable_upnp: return tr("Switch UPnP back on");
    case ChangeKind::disable_remote_admin: return tr("Switch administration of the box from the Internet back on");
    case ChangeKind::enable_vpn_server: return tr("Stop the box's VPN server again");
    case ChangeKind::add_vpn_peer: return fill(tr("Remove the VPN user {peer} from the box"), {{"peer", printable(a.peer, 40)}});
    case ChangeKind::delete_pinhole:
      return fill(tr("Reopen the IPv6 hole to {pinhole} in the box's firewall"), {{"pinhole", a.target.pinhole->key()}});
    case ChangeKind::enable_ipv6_firewall:
      return a.target.ipv6_level.empty()
                 ? std::string(tr("Switch the box's IPv6 firewall back off"))
                 : fill(tr("Put the box's IPv6 firewall back at its level {level}"), {{"level", printable(a.target.ipv6_level, 20)}});
    default: return a.summary;
  }
}

}  // namespace

Action inverse(const Action& a) {
  if (a.kind == ChangeKind::manual) {
    throw Error(ErrorKind::unsupported, tr("a manual step has no automatic inverse"));
  }
  if (changes_forward(a.kind) && !a.target.forward) {
    throw Error(ErrorKind::unsupported, tr("the action names no port forward to put back"));
  }
  if (changes_pinhole(a.kind) && !a.target.pinhole) {
    throw Error(ErrorKind::unsupported, tr("the action names no IPv6 pinhole to put back"));
  }
  Action inv = a;
  inv.because_rule = "rollback";
  inv.kind = inverse(a.kind);
  inv.summary = undo_summary(a);
  return inv;
}

nlohmann::json to_json(const Action& a) {
  nlohmann::json j = {
      {"action", to_string(a.kind)},
      {"target", to_json(a.target)},
      {"automatic", a.automatic},
      {"reversible", a.reversible},
      {"summary", a.summary},
      {"rule", a.because_rule},
  };
  if (!a.manual_steps.empty()) {
    j["manual_steps"] = a.manual_steps;
  }
  if (a.target.forward) {
    j["target_forward"] = to_json(*a.target.forward);
  }
  if (a.vpn) {
    RouterState only;
    only.vpn_server = a.vpn;
    j["target_vpn"] = to_json(only)["vpn_server"];
  }
  if (!a.peer.empty()) {
    j["peer"] = a.peer;
  }
  if (a.target.pinhole) {
    j["target_pinhole"] = to_json(*a.target.pinhole);
  }
  if (a.target.kind == SubjectKind::ipv6_firewall) {
    j["target_ipv6_level"] = a.target.ipv6_level;
  }
  if (a.target.dmz) {
    j["target_dmz"] = {{"enabled", a.target.dmz->enabled}, {"host", a.target.dmz->host},
                       {"vendor_data", a.target.dmz->vendor_data}};
  }
  return j;
}

// A backup's plan: every field checked like network input (fields::); an action that changes
// a forward or the DMZ must carry it, or its inverse could not be built.
Action action_from_json(const nlohmann::json& j) {
  using namespace fields;
  require_object(j, "");
  Action a;
  std::string kind = text(j, "action", k_short);
  auto known = change_kind_from_name(kind);
  if (!known) {
    bad("action", "unknown action \"" + printable(kind, 40) + "\"");
  }
  a.kind = *known;
  a.automatic = flag(j, "automatic", false);
  a.reversible = flag(j, "reversible", false);
  if (a.kind == ChangeKind::manual && a.automatic) {
    bad("automatic", "a manual step cannot be automatic");
  }
  a.summary = text(j, "summary", k_line, "");
  a.because_rule = text(j, "rule", k_short, "");
  a.manual_steps = text(j, "manual_steps", k_text, "");
  const auto& target = at(j, "target");
  std::string subject = within("target", [&] {
    require_object(target, "");
    return text(target, "kind", k_short, "port_forward");
  });
  if (auto k = subject_kind_from_name(subject)) {
    a.target.kind = *k;
  } else {
    bad("target.kind", "unknown subject \"" + printable(subject, 40) + "\"");
  }
  if (j.contains("target_forward")) {
    a.target.forward = within("target_forward", [&] { return port_forward_from_json(j["target_forward"]); });
  }
  bool forward_kind = a.kind == ChangeKind::delete_port_forward || a.kind == ChangeKind::add_port_forward;
  if (forward_kind && !a.target.forward) {
    bad("target_forward", "missing (a change to a port forward must name it)");
  }
  if (j.contains("target_pinhole")) {
    a.target.pinhole = within("target_pinhole", [&] { return pinhole_from_json(j["target_pinhole"]); });
  }
  if (changes_pinhole(a.kind) && !a.target.pinhole) {
    bad("target_pinhole", "missing (a change to an IPv6 pinhole must name it)");
  }
  a.target.ipv6_level = text(j, "target_ipv6_level", k_short, "");
  if (j.contains("target_vpn")) {
    a.vpn = within("target_vpn", [&] { return vpn_server_from_json(j["target_vpn"]); });
  }
  a.peer = text(j, "peer", k_short, "");
  bool peer_kind = a.kind == ChangeKind::add_vpn_peer || a.kind == ChangeKind::delete_vpn_peer;
  if (peer_kind && a.peer.empty()) {
    bad("peer", "missing (a change to a VPN user must name it)");
  }
  if (j.contains("target_dmz")) {
    a.target.dmz = within("target_dmz", [&] {
      const auto& d = j["target_dmz"];
      require_object(d, "");
      Dmz dmz;
      dmz.enabled = flag(d, "enabled", false);
      dmz.host = text(d, "host", k_short, "");
      if (!dmz.host.empty() && !is_ip_literal(dmz.host)) {
        bad("host", "\"" + printable(dmz.host, 60) + "\" is not an IPv4 or IPv6 address");
      }
      dmz.vendor_data = vendor_data(d, "vendor_data");
      return dmz;
    });
  }
  return a;
}

}  // namespace bw
