#include "vendors/vendor.hpp"

namespace bw {

std::vector<std::string> capability_names(Capabilities set) {
  static const std::pair<Capability, const char*> k_names[] = {
      {Capability::read_mappings, "read-upnp-mappings"},
      {Capability::read_static_forwards, "read-static-forwards"},
      {Capability::delete_forward, "delete-forward"},
      {Capability::add_forward, "restore-forward"},
      {Capability::read_dmz, "read-dmz"},
      {Capability::set_dmz, "change-dmz"},
      {Capability::read_upnp_switch, "read-upnp-switch"},
      {Capability::set_upnp_switch, "switch-upnp-off"},
      {Capability::read_remote_admin, "read-remote-admin"},
      {Capability::set_remote_admin, "switch-remote-admin-off"},
      {Capability::vpn_server, "vpn-server"},
  };
  std::vector<std::string> out;
  for (const auto& [cap, name] : k_names) {
    if (has(set, cap)) {
      out.emplace_back(name);
    }
  }
  return out;
}

}  // namespace bw
