#include "plan/action.hpp"

#include <algorithm>
#include <array>

#include "core/error.hpp"
#include "core/json_fields.hpp"
#include "core/text.hpp"

namespace bw {

namespace {
constexpr std::array<std::pair<ActionKind, std::string_view>, 9> k_kinds = {{
    {ActionKind::delete_port_forward, "delete-port-forward"},
    {ActionKind::add_port_forward, "restore-port-forward"},
    {ActionKind::disable_dmz, "disable-dmz"},
    {ActionKind::restore_dmz, "restore-dmz"},
    {ActionKind::disable_upnp, "disable-upnp"},
    {ActionKind::enable_upnp, "enable-upnp"},
    {ActionKind::disable_remote_admin, "disable-remote-admin"},
    {ActionKind::enable_remote_admin, "enable-remote-admin"},
    {ActionKind::manual, "manual"},
}};
}  // namespace

std::string_view to_string(ActionKind k) {
  for (const auto& [kind, name] : k_kinds) {
    if (kind == k) {
      return name;
    }
  }
  return "manual";
}

Action inverse(const Action& a) {
  Action inv = a;
  inv.because_rule = "rollback";
  switch (a.kind) {
    case ActionKind::delete_port_forward:
      inv.kind = ActionKind::add_port_forward;
      inv.summary = "Restore " + a.target.forward->key() + " to " + a.target.forward->internal_host;
      break;
    case ActionKind::add_port_forward:
      inv.kind = ActionKind::delete_port_forward;
      inv.summary = "Remove " + a.target.forward->key() + " to " + a.target.forward->internal_host;
      break;
    case ActionKind::disable_dmz:
      inv.kind = ActionKind::restore_dmz;
      inv.summary = "Restore the DMZ";
      break;
    case ActionKind::restore_dmz:
      inv.kind = ActionKind::disable_dmz;
      break;
    case ActionKind::disable_upnp:
      inv.kind = ActionKind::enable_upnp;
      inv.summary = "Switch UPnP back on";
      break;
    case ActionKind::enable_upnp:
      inv.kind = ActionKind::disable_upnp;
      break;
    case ActionKind::disable_remote_admin:
      inv.kind = ActionKind::enable_remote_admin;
      inv.summary = "Switch remote administration back on";
      break;
    case ActionKind::enable_remote_admin:
      inv.kind = ActionKind::disable_remote_admin;
      break;
    case ActionKind::manual:
      throw Error(ErrorKind::unsupported, "a manual step has no automatic inverse");
  }
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
  auto known = std::find_if(k_kinds.begin(), k_kinds.end(), [&](const auto& k) { return k.second == kind; });
  if (known == k_kinds.end()) {
    bad("action", "unknown action \"" + printable(kind, 40) + "\"");
  }
  a.kind = known->first;
  a.automatic = flag(j, "automatic", false);
  a.reversible = flag(j, "reversible", false);
  if (a.kind == ActionKind::manual && a.automatic) {
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
  if (subject == "port_forward") {
    a.target.kind = SubjectKind::port_forward;
  } else if (subject == "dmz") {
    a.target.kind = SubjectKind::dmz;
  } else if (subject == "upnp_igd") {
    a.target.kind = SubjectKind::upnp_igd;
  } else if (subject == "remote_admin") {
    a.target.kind = SubjectKind::remote_admin;
  } else if (subject == "unknown_field") {
    a.target.kind = SubjectKind::unknown_field;
  } else {
    bad("target.kind", "unknown subject \"" + printable(subject, 40) + "\"");
  }
  if (j.contains("target_forward")) {
    a.target.forward = within("target_forward", [&] { return port_forward_from_json(j["target_forward"]); });
  }
  bool forward_kind = a.kind == ActionKind::delete_port_forward || a.kind == ActionKind::add_port_forward;
  if (forward_kind && !a.target.forward) {
    bad("target_forward", "missing (a change to a port forward must name it)");
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
