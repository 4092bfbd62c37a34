#include "vendors/livebox/livebox_read.hpp"

#include "core/error.hpp"
#include "vendors/livebox/livebox_ipv6_parse.hpp"

namespace bw::livebox {

namespace {

// One optional read: the reply, or null with the error recorded.
class Reader {
 public:
  Reader(WsClient& ws, json& errors) : m_ws(ws), m_errors(errors) {}

  std::optional<WsReply> get(std::string_view service, std::string_view method,
                             const json& params = json::object()) {
    WsReply r = m_ws.call(service, method, params);
    if (!r.ok()) {
      m_errors[std::string(service) + ":" + std::string(method)] = describe_errors(r.errors);
      return std::nullopt;
    }
    return r;
  }

 private:
  WsClient& m_ws;
  json& m_errors;
};

// Per access point: only the security-relevant switches, never keys or SSIDs.
json summarize_wlan(const json& mibs) {
  json out = json::object();
  const json* vaps = &mibs;
  if (mibs.is_object() && mibs.contains("wlanvap")) {
    vaps = &mibs["wlanvap"];
  }
  if (!vaps->is_object()) {
    return out;
  }
  for (const auto& [name, vap] : vaps->items()) {
    if (!vap.is_object()) {
      continue;
    }
    json v = json::object();
    if (auto b = get_bool(vap, "SSIDAdvertisementEnabled")) {
      v["ssid_advertised"] = *b;
    }
    v["status"] = get_string(vap, "VAPStatus");
    if (vap.contains("Security")) {
      v["security_mode"] = get_string(vap["Security"], "ModeEnabled");
    }
    if (vap.contains("WPS")) {
      if (auto b = get_bool(vap["WPS"], "Enable")) {
        v["wps_enabled"] = *b;
      }
      v["wps_methods"] = get_string(vap["WPS"], "ConfigMethodsEnabled");
    }
    out[name] = v;
  }
  return out;
}

}  // namespace

json list_forward_rules(WsClient& ws) {
  WsReply r = ws.call_ok("Firewall", "getPortForwarding", json::object(), ErrorKind::protocol);
  if (r.status.is_null()) {
    return json::object();
  }
  if (!r.status.is_object()) {
    throw Error(ErrorKind::protocol, "the Livebox listed its port forwards in an unknown shape");
  }
  return r.status;
}

json list_dmz(WsClient& ws) {
  WsReply r = ws.call_ok("Firewall", "getDMZ", json::object(), ErrorKind::protocol);
  return r.status.is_object() ? r.status : json::object();
}

bool read_upnp_enabled(WsClient& ws) {
  WsReply r = ws.call_ok("UPnP-IGD", "get", json::object(), ErrorKind::protocol);
  auto on = get_bool(r.status, "Enable");
  if (!on) {
    throw Error(ErrorKind::protocol, "the Livebox did not say whether UPnP IGD is on");
  }
  return *on;
}

json read_remote_access(WsClient& ws) {
  WsReply r = ws.call_ok("RemoteAccess", "get", json::object(), ErrorKind::protocol);
  if (!r.status.is_object() || !get_bool(r.status, "Enable")) {
    throw Error(ErrorKind::protocol, "the Livebox did not say whether remote access is on");
  }
  return strip_secrets(r.status);
}

RouterState read_router_state(WsClient& ws, const std::string& address,
                              const std::optional<DeviceInfo>& anonymous) {
  RouterState s;
  s.address = address;
  s.vendor = "livebox";
  s.apis = {"livebox"};
  json extra = json::object();
  json errors = json::object();
  Reader rd(ws, errors);

  std::optional<DeviceInfo> info = anonymous;
  if (auto r = rd.get("DeviceInfo", "get")) {
    if (auto parsed = parse_device_info(r->status)) {
      info = parsed;
    }
  }
  if (info) {
    s.model = commercial_model(*info);
    s.firmware = info->firmware;
    s.external_ip = info->external_ip;
    s.box_identity = info->serial.empty() ? std::string() : "livebox-serial:" + info->serial;
  }
  if (auto r = rd.get("NMC", "getWANStatus")) {
    if (std::string ip = parse_wan_ip(*r); !ip.empty()) {
      s.external_ip = ip;
    }
    extra["wan"] = strip_secrets(r->data.is_object() ? r->data : json::object());
    s.ipv6_enabled = parse_wan_ipv6(*r);
  }

  std::vector<std::string> skipped;
  s.port_forwards = parse_port_forwards(list_forward_rules(ws), &skipped);
  s.static_forwards_known = true;
  if (!skipped.empty()) {
    extra["unrepresented_forwards"] = skipped;  // protocols other than TCP/UDP
  }
  if (auto r = rd.get("Firewall", "getProtocolForwarding")) {
    extra["protocol_forwards"] = r->status.is_object() ? r->status : json::object();
  }
  if (auto r = rd.get("Firewall", "getDMZ")) {
    s.dmz = parse_dmz(r->status);
  }
  if (auto r = rd.get("UPnP-IGD", "get")) {
    s.upnp_igd_enabled = get_bool(r->status, "Enable");
    extra["upnp_igd"] = strip_secrets(r->status);
  }
  if (auto r = rd.get("RemoteAccess", "get")) {
    s.remote_admin_enabled = get_bool(r->status, "Enable");
    extra["remote_access"] = strip_secrets(r->status);
  }
  if (auto r = rd.get("NMC", "getRemoteAccess")) {
    extra["nmc_remote_access"] = strip_secrets(r->status);
    if (!s.remote_admin_enabled) {
      s.remote_admin_enabled = get_bool(r->status, "enable");
    }
  }
  if (auto r = rd.get("OrangeRemoteAccess", "get")) {
    extra["orange_remote_access"] = strip_secrets(r->status);
  }
  if (auto r = rd.get("Firewall", "getFirewallLevel")) {
    extra["firewall_level"] = r->status;
  }
  if (auto r = rd.get("Firewall", "getFirewallIPv6Level")) {
    // Low filters nothing: every LAN machine is reachable over IPv6, as with no firewall.
    if (std::string level = parse_ipv6_level(r->status); !level.empty()) {
      s.ipv6_firewall_level = level;
      s.ipv6_firewall_enabled = level != k_ipv6_open_level;
    } else {
      extra["firewall_ipv6_level"] = r->status;  // not a level we know: unknown
    }
  }
  if (auto r = rd.get("Firewall", "getRespondToPing", json{{"sourceInterface", "data"}})) {
    extra["respond_to_ping"] = r->status;
  }
  // Not every model has pinholes in its API (error 13 or 196618): they stay unknown, quietly.
  if (auto r = rd.get("Firewall", "getPinhole"); r && (r->status.is_object() || r->status.is_null())) {
    s.pinholes = parse_pinholes(r->status);
    s.pinholes_known = true;
  }
  if (auto r = rd.get("NMC.Wifi", "get")) {
    extra["wifi"] = strip_secrets(r->status);
  }
  if (auto r = rd.get("NeMo.Intf.lan", "getMIBs", json{{"mibs", "wlanvap"}})) {
    extra["wlan"] = summarize_wlan(r->status);
  }
  if (!errors.empty()) {
    extra["read_errors"] = errors;
  }
  s.vendor_data = json{{"livebox", extra}};
  return s;
}

}  // namespace bw::livebox
