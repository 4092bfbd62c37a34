// Planner: findings -> ordered actions. Only findings at or above the threshold are acted
// on; what no plugin can do becomes a manual step with instructions. Order: delete
// mappings and forwards first, then the DMZ, remote admin, and switching UPnP off last
// (switching UPnP off does not remove mappings already injected).
#pragma once

#include <functional>
#include <vector>

#include "plan/action.hpp"
#include "rules/finding.hpp"

namespace bw {

using CanApply = std::function<bool(const Action&)>;

// Forwards the box or the ISP manages (origin "cwmp*" or "internal") become manual steps
// unless `delete_managed` (the profile's `managed-forwards delete`).
std::vector<Action> make_plan(const std::vector<Finding>& findings, Severity threshold,
                              const std::string& box_address, const CanApply& can_apply,
                              bool delete_managed = false);

}  // namespace bw
