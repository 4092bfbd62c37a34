// What changed on a box between two reads, in plain words: fix shows it when the box changed
// while the person read the plan (someone re-pointed a forward, a program opened a port), so
// that the second question is asked knowingly. Pure; unit-tested.
#pragma once

#include <string>
#include <vector>

#include "core/router_state.hpp"

namespace bw {

// One line per difference that matters to what the box exposes: forwards that appeared,
// went away or changed (internal host or port, source, switch, description), the DMZ, the
// UPnP switch and remote administration. Empty when nothing of that changed. Untrusted text
// (descriptions) is escaped.
std::vector<std::string> describe_changes(const RouterState& before, const RouterState& after);

}  // namespace bw
