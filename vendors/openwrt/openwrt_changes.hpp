// Changing an OpenWrt router through UCI with OpenWrt's own apply-with-rollback
// (openwrt-ubus.md 4). Internal to the plugin.
//
// Contract (every change):
// 1. stage: uci set / delete / add / order in boxwarden's rpcd session (invisible to the router);
// 2. uci apply {"rollback": true, "timeout": T}: rpcd commits, reloads the services (fw4,
//    miniupnpd) and arms its own timer;
// 3. a NEW ubus call re-reads the configuration: the link still works and the change is in effect;
// 4. uci confirm. Without it (the change cut boxwarden's link, boxwarden stopped) rpcd restores
//    the snapshot T seconds after the apply, by itself.
// When 3 or 4 fails, boxwarden asks for `uci rollback` at once; when the router does not answer,
// it waits until T has passed and the router rolled itself back, logs in again and checks that
// the change is not in effect; then throws (Error(unreachable) when the link failed, so that a
// rollback command tries again; Error(refused) when the router refused). Staged leftovers are
// reverted (uci revert) so that a later apply does not carry them.
// T: a quarter of what is left of --timeout, between 5 and 30 s.
//
// What each change does:
// - a forward (UCI redirect) is switched off (enabled '0'), not deleted: rpcd cannot create an
//   anonymous section again (uci add with a name makes it a named one), so a deletion could not
//   be undone exactly. The rollback puts `enabled` back as read (the option removed when it was
//   absent); a redirect deleted meanwhile is added again with its name, every option in order,
//   and moved back to its place (uci order).
// - remote administration: every rule wan -> router ACCEPT opening an admin port gets enabled '0'
//   and boxwarden_was_enabled (the value read, '' when absent); the rollback restores exactly that
//   and removes the marker. The wan zone's input ACCEPT is not changed (Error(unsupported)).
// - UPnP: upnpd.<section>.enabled '0' with the same marker; back the same way.
// - the exposed host (a redirect without src_dport): like a forward.
// Every function is idempotent, refuses with Error(conflict) a redirect that now goes elsewhere,
// and under --dry-run (api.rehearsing()) skips the re-reads (the writes are written down).
#pragma once

#include <chrono>

#include "core/router_state.hpp"
#include "vendors/openwrt/openwrt_api.hpp"

namespace bw::openwrt {

void disable_forward(Ubus& api, const PortForward& f);
void restore_forward(Ubus& api, const PortForward& f);
void disable_exposed_host(Ubus& api, const Dmz& d);
void restore_exposed_host(Ubus& api, const Dmz& d);
void set_upnp(Ubus& api, bool on);
void set_remote_admin(Ubus& api, bool on);

// The apply timeout for what is left of the deadline (5-30 s).
std::chrono::seconds apply_timeout(std::chrono::milliseconds remaining);

}  // namespace bw::openwrt
