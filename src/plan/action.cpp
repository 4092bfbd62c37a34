#include "plan/action.hpp"

#include <array>

#include "core/error.hpp"

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

Action action_from_json(const nlohmann::json& j) {
  try {
    Action a;
    std::string kind = j.at("action").get<std::string>();
    bool found = false;
    for (const auto& [k, name] : k_kinds) {
      if (name == kind) {
        a.kind = k;
        found = true;
      }
    }
    if (!found) {
      throw Error(ErrorKind::protocol, "unknown action '" + kind + "' in backup");
    }
    a.automatic = j.value("automatic", false);
    a.reversible = j.value("reversible", false);
    a.summary = j.value("summary", "");
    a.because_rule = j.value("rule", "");
    a.manual_steps = j.value("manual_steps", "");
    std::string subject = j.at("target").value("kind", "port_forward");
    if (subject == "port_forward") {
      a.target.kind = SubjectKind::port_forward;
    } else if (subject == "dmz") {
      a.target.kind = SubjectKind::dmz;
    } else if (subject == "upnp_igd") {
      a.target.kind = SubjectKind::upnp_igd;
    } else if (subject == "remote_admin") {
      a.target.kind = SubjectKind::remote_admin;
    } else {
      a.target.kind = SubjectKind::unknown_field;
    }
    if (j.contains("target_forward")) {
      a.target.forward = port_forward_from_json(j["target_forward"]);
    }
    if (j.contains("target_dmz")) {
      Dmz d;
      d.enabled = j["target_dmz"].value("enabled", false);
      d.host = j["target_dmz"].value("host", "");
      d.vendor_data = j["target_dmz"].value("vendor_data", nlohmann::json());
      a.target.dmz = d;
    }
    return a;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::protocol, std::string("malformed action in backup: ") + e.what());
  }
}

}  // namespace bw
