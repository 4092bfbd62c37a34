// Reading a Livebox into a RouterState (livebox.md sections 4-6, 8). Internal to the plugin.
//
// Contract:
// - Port forwards (every origin), the DMZ (every key), the UPnP IGD switch and remote
//   access are mapped to RouterState fields; a field whose call failed stays unknown
//   (nullopt) and the box's error is kept in vendor_data.livebox.read_errors.
// - Failing to list the port forwards throws: an empty list would read as "nothing open".
// - IPv6: the WAN's IPv6 state, the IPv6 firewall level (Low = off) and every pinhole
//   (pinholes_known when getPinhole answered; models without it leave them unknown).
// - Everything else (the IPv4 firewall level, ping answer, protocol forwards, Orange's
//   own remote access, Wi-Fi/WPS) goes to vendor_data.livebox, with secrets stripped.
#pragma once

#include <string>

#include "core/router_state.hpp"
#include "vendors/livebox/livebox_parse.hpp"
#include "vendors/livebox/livebox_ws.hpp"

namespace bw::livebox {

// `anonymous` is what the unauthenticated fingerprint returned (model fallback).
RouterState read_router_state(WsClient& ws, const std::string& address,
                              const std::optional<DeviceInfo>& anonymous);

// Firewall:getPortForwarding {} status (object keyed by id); throws Error(protocol).
json list_forward_rules(WsClient& ws);
// Firewall:getDMZ status; throws Error(protocol).
json list_dmz(WsClient& ws);
// `Enable` of UPnP-IGD:get / RemoteAccess:get; throws Error(protocol) when unreadable.
bool read_upnp_enabled(WsClient& ws);
json read_remote_access(WsClient& ws);  // the status object, secrets stripped

}  // namespace bw::livebox
