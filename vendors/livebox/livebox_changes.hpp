// Changing a Livebox: one function per action, each verified by reading the box again
// (livebox.md sections 5-6, 8). Internal to the plugin.
//
// Contract:
// - Every function throws Error(refused) when the box refuses the change or when the
//   re-read does not show it, Error(unsupported) when the action lacks what it needs.
// - Each is idempotent: a change already in place is verified and not sent again, so
//   the executor may retry and roll back safely.
// - A forward is only ever deleted by its exact id and origin. No request of this
//   plugin ever carries an origin without an id to a delete call (guarded in one place,
//   send_delete()); the box would delete every rule of that origin.
// - Every request that changes the box is marked (WsClient::Change::yes): --dry-run runs
//   these same functions and writes those requests down instead of sending them.
#pragma once

#include <string>
#include <vector>

#include "core/router_state.hpp"
#include "core/change.hpp"
#include "vendors/livebox/livebox_ws.hpp"

namespace bw::livebox {

// Closes `f` (one protocol of a rule): deletes the rule, or, when the rule also carries
// another protocol that stays open, re-sets it without this one. Then commit.
void delete_forward(WsClient& ws, const PortForward& f);
// Recreates `f` exactly from its stored rule (vendor_data), or from its fields.
void add_forward(WsClient& ws, const PortForward& f);
// Switches one forward on or off in place (setPortForwarding with the full rule).
void set_forward_enabled(WsClient& ws, const PortForward& f, bool enable);
// Deletes every DMZ entry the box lists.
void clear_dmz(WsClient& ws);
// Recreates every DMZ entry saved in `dmz.vendor_data.entries` (or the host alone).
void restore_dmz(WsClient& ws, const Dmz& dmz);
// UPnP-IGD:set, nested form first, then the flat form, each followed by a re-read.
void set_upnp(WsClient& ws, bool enable);
// RemoteAccess:disable / RemoteAccess:enable with the port and limits the box kept.
void set_remote_access(WsClient& ws, bool enable);


}  // namespace bw::livebox
