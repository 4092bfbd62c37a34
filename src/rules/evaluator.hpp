// The evaluator: RouterState x Profile -> findings, most severe first.
//
// Contract:
// - every enabled port forward or UPnP mapping yields exactly one finding
//   (UPNP-FOREIGN-HOST, EXPOSE-ALLOWED, EXPOSE-SERVICE or EXPOSE-PORT, tried in that
//   order); disabled forwards yield none;
// - the DMZ, UPnP IGD and remote admin yield a finding when switched on (allowed by
//   the profile: info, `allowed`, no action);
// - every field named by state.unknown() yields one STATE-UNKNOWN finding: what the
//   box did not let us read is never reported as safe;
// - text chosen by the box or a LAN device (mapping descriptions) never reaches a
//   title or a why; hosts appear only when they look like addresses or host names.
// Rule ids are stable; profiles/README.md documents them.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "core/router_state.hpp"
#include "rules/finding.hpp"
#include "rules/profile.hpp"

namespace bw {

namespace rule_id {
inline constexpr std::string_view expose_service = "EXPOSE-SERVICE";
inline constexpr std::string_view expose_port = "EXPOSE-PORT";
inline constexpr std::string_view expose_allowed = "EXPOSE-ALLOWED";
inline constexpr std::string_view expose_vpn = "EXPOSE-VPN";
inline constexpr std::string_view expose_dmz = "EXPOSE-DMZ";
inline constexpr std::string_view upnp_enabled = "UPNP-ENABLED";
inline constexpr std::string_view upnp_foreign_host = "UPNP-FOREIGN-HOST";
inline constexpr std::string_view admin_wan = "ADMIN-WAN";
inline constexpr std::string_view state_unknown = "STATE-UNKNOWN";
inline constexpr std::string_view ipv6_firewall_off = "IPV6-FIREWALL-OFF";
inline constexpr std::string_view expose_ipv6_host = "EXPOSE-IPV6-HOST";
}  // namespace rule_id

// Action ids carried by findings (the planner's ChangeKind names).
namespace action_id {
inline constexpr std::string_view delete_port_forward = "delete-port-forward";
inline constexpr std::string_view disable_dmz = "disable-dmz";
inline constexpr std::string_view disable_upnp = "disable-upnp";
inline constexpr std::string_view disable_remote_admin = "disable-remote-admin";
inline constexpr std::string_view delete_pinhole = "delete-ipv6-pinhole";
inline constexpr std::string_view enable_ipv6_firewall = "enable-ipv6-firewall";
inline constexpr std::string_view manual = "manual";  // a person must act (the plan says how)
inline constexpr std::string_view none = "none";      // allowed, or noted only: nothing to do
}  // namespace action_id

struct RuleInfo {
  std::string_view id;
  std::string_view summary;  // one line, for listings and documentation
};

// Every rule the evaluator can report, in a stable order.
std::span<const RuleInfo> rules();

// Judges `state` against `profile`; sorted by severity, most severe first (ties keep
// the order: forwards as listed in the state, then DMZ, UPnP, remote admin, unknowns).
std::vector<Finding> evaluate(const Profile& profile, const RouterState& state);

// True when `f` was made through UPnP IGD rather than set up in the box's pages:
// its origin names "upnp", or it has no origin and only the UPnP IGD API reported it.
bool is_upnp_mapping(const PortForward& f);

}  // namespace bw
