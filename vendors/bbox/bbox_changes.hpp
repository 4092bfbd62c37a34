// Changing a Bbox: one function per change, each checked by reading the box again
// (bbox-sfr.md A.7-A.10). Internal to the plugin.
//
// Contract:
// - A forward is switched off (PUT nat/rules/{id} enable=0), not deleted: the rule, its id
//   and its fields stay, so the rollback puts it back exactly (enable=1 on the same id; a rule
//   gone meanwhile is created again with POST nat/rules). It acts only on the rule read:
//   when the rule under that id now forwards elsewhere, Error(conflict) and nothing is sent.
// - A UPnP mapping has no delete in the Bbox API: Error(unsupported) (switching UPnP off is
//   the remedy, and the plan does it).
// - Every function is idempotent (a change already in place is checked, not sent again),
//   throws Error(refused) when the box refuses or the re-read does not show the change, and
//   under --dry-run (api.rehearsing()) skips the re-read.
#pragma once

#include "core/router_state.hpp"
#include "vendors/bbox/bbox_api.hpp"

namespace bw::bbox {

void disable_forward(ApiClient& api, const PortForward& f);
void restore_forward(ApiClient& api, const PortForward& f);
void disable_dmz(ApiClient& api);
void restore_dmz(ApiClient& api, const Dmz& dmz);
void set_upnp(ApiClient& api, bool on);
// enable=1 puts back the port saved in vendor_data.bbox.remote_admin (`saved`) when known.
void set_remote_admin(ApiClient& api, bool on, const json& saved);

}  // namespace bw::bbox
