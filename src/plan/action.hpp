// Actions: the planner's output. An automatic action carries one change of the vocabulary
// (core/change.hpp) that a plugin makes; each has an inverse computed from the state saved
// before the fix.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/change.hpp"
#include "rules/finding.hpp"

namespace bw {


struct Action {
  ChangeKind kind = ChangeKind::manual;
  Subject target;
  bool automatic = true;   // false: a person must do it (instructions in `manual_steps`)
  bool reversible = true;
  std::string summary;     // plain words: "Close TCP port 11112 (to 192.168.1.10)"
  std::string manual_steps;
  std::string because_rule;  // the finding's rule id
  // vpn setup on a box with its own server: the server wanted or saved, and the peer's name.
  std::optional<VpnServer> vpn;
  std::string peer;
};

// The change a plugin makes for `a`: its kind and the forward or DMZ it names.
Change change_of(const Action& a);
// The same, as the executor checks it on a read of the box.
inline bool effect_visible(const Action& a, const RouterState& s) { return effect_visible(change_of(a), s); }
inline bool original_visible(const Action& a, const RouterState& s) { return original_visible(change_of(a), s); }

Action inverse(const Action& a);  // throws Error(unsupported) for manual actions
nlohmann::json to_json(const Action& a);
Action action_from_json(const nlohmann::json& j);  // backups; throws Error(protocol)

// "TCP port 3389 (forwarded to 192.168.1.10)": how a fix and its rollback both name a forward.
std::string forward_words(const PortForward& pf);

}  // namespace bw
