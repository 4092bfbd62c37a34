// Actions: the planner's output and the unit a plugin applies. Each automatic action
// has an inverse computed from the state saved before the fix.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rules/finding.hpp"

namespace bw {

enum class ActionKind {
  delete_port_forward,
  add_port_forward,     // inverse of delete (rollback)
  disable_dmz,
  restore_dmz,          // inverse of disable_dmz
  disable_upnp,
  enable_upnp,          // inverse of disable_upnp
  disable_remote_admin,
  enable_remote_admin,  // inverse of disable_remote_admin
  manual,               // the plugin cannot do it: instructions for a person
};
std::string_view to_string(ActionKind k);  // "delete-port-forward", ...

struct Action {
  ActionKind kind = ActionKind::manual;
  Subject target;
  bool automatic = true;   // false: a person must do it (instructions in `manual_steps`)
  bool reversible = true;
  std::string summary;     // plain words: "Close TCP port 11112 (to 192.168.1.10)"
  std::string manual_steps;
  std::string because_rule;  // the finding's rule id
};

Action inverse(const Action& a);  // throws Error(unsupported) for manual actions
nlohmann::json to_json(const Action& a);
Action action_from_json(const nlohmann::json& j);  // backups; throws Error(protocol)

}  // namespace bw
