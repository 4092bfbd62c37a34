// Planner: findings -> ordered actions. Only findings at or above the threshold are acted
// on; what no plugin can do becomes a manual step with instructions. Order: delete
// mappings and forwards first, then the DMZ, remote admin, and switching UPnP off last
// (switching UPnP off does not remove mappings already injected).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/action.hpp"
#include "rules/finding.hpp"

namespace bw {

using CanApply = std::function<bool(const Action&)>;

// Forwards the box or the ISP manages (origin "cwmp*" or "internal") become manual steps
// unless `delete_managed` (the profile's `managed-forwards delete`). `menus`: where each
// setting is in the box's own web interface, in the box's own words, for the manual steps
// (empty: generic words). A plugin gives them in RouterState::vendor_data["menus"], an object
// of texts keyed web_ui (how to open and sign in), port_forwards, dmz, upnp_igd,
// remote_admin, ipv6_firewall, ipv6_pinholes; menus_of() reads it.
std::vector<Action> make_plan(const std::vector<Finding>& findings, Severity threshold,
                              const std::string& box_address, const CanApply& can_apply,
                              bool delete_managed = false, const std::map<std::string, std::string>& menus = {});
std::map<std::string, std::string> menus_of(const nlohmann::json& vendor_data);

}  // namespace bw
