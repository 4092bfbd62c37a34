#include "vendors/freebox/freebox_read.hpp"

#include "vendors/freebox/freebox_vpn.hpp"

#include "core/error.hpp"

namespace bw::freebox {

namespace {

json array_or_empty(const json& result) {
  return result.is_array() ? result : json::array();
}

json object_or_throw(const Envelope& e, std::string_view what) {
  if (!e.result.is_object()) {
    throw Error(ErrorKind::protocol, "the Freebox did not " + std::string(what) + " (no object in its answer)");
  }
  return e.result;
}

// One optional read: the result, or null with the error recorded.
class Reader {
 public:
  Reader(ApiClient& api, json& errors) : m_api(api), m_errors(errors) {}
  std::optional<json> get(const std::string& path) {
    Envelope e = m_api.call_raw("GET", path, nullptr, "read " + path);
    if (!e.success) {
      m_errors[path] = (e.error_code.empty() ? std::string("error") : e.error_code) +
                       (e.msg.empty() ? "" : ": " + e.msg);
      return std::nullopt;
    }
    return e.result;
  }

 private:
  ApiClient& m_api;
  json& m_errors;
};

}  // namespace

json list_forward_rules(ApiClient& api) {
  return array_or_empty(api.call("GET", "fw/redir/", nullptr, "list its port forwards", ErrorKind::protocol).result);
}

json list_upnp_mappings(ApiClient& api) {
  Envelope e = api.call_raw("GET", "upnpigd/redir/", nullptr, "list its UPnP mappings");
  if (!e.success && e.error_code == "disabled") {
    return json::array();  // UPnP is off: no mapping can be open
  }
  if (!e.success) {
    throw envelope_error(e, 200, "list its UPnP mappings", api.endpoint().address, ErrorKind::protocol);
  }
  return array_or_empty(e.result);
}

json read_dmz(ApiClient& api) {
  return object_or_throw(api.call("GET", "fw/dmz/", nullptr, "read its DMZ", ErrorKind::protocol), "show its DMZ");
}

json read_upnp_config(ApiClient& api) {
  return object_or_throw(api.call("GET", "upnpigd/config/", nullptr, "read its UPnP switch", ErrorKind::protocol),
                         "show its UPnP switch");
}

json read_connection_config(ApiClient& api) {
  return object_or_throw(
      api.call("GET", "connection/config/", nullptr, "read its remote access settings", ErrorKind::protocol),
      "show its remote access settings");
}

json read_ipv6_config(ApiClient& api) {
  return object_or_throw(
      api.call("GET", "connection/ipv6/config/", nullptr, "read its IPv6 firewall", ErrorKind::protocol),
      "show its IPv6 settings");
}

RouterState read_router_state(ApiClient& api) {
  RouterState s;
  const Endpoint& ep = api.endpoint();
  s.address = ep.address;
  s.vendor = "freebox";
  s.apis = {"freebox"};
  s.model = ep.version.model;
  json extra = json::object();
  json errors = json::object();
  Reader rd(api, errors);

  extra["api_version"] = ep.version.api_version;
  if (!ep.version.uid.empty()) {
    extra["box_id"] = short_id(ep.version.uid);
    s.box_identity = "freebox-uid:" + ep.version.uid;
  }
  extra["transport"] = api.over_tls() ? "https" : "http";
  if (!api.over_tls()) {
    extra["transport_warning"] =
        "this Freebox offers no HTTPS: boxwarden's session token crossed the LAN in clear";
  }
  extra["permissions"] = api.permissions();

  if (auto r = rd.get("system/")) {
    SystemInfo sys = parse_system(*r);
    if (!sys.model.empty()) {
      s.model = sys.model;
    }
    s.firmware = sys.firmware;
    if (!sys.serial_id.empty()) {
      extra["serial_id"] = sys.serial_id;
    }
  }
  std::optional<PortRange> range;
  if (auto r = rd.get("connection/")) {
    ConnectionStatus c = parse_connection(*r);
    s.external_ip = c.external_ip;
    range = c.port_range;
    if (range) {
      extra["wan_port_range"] = {range->first, range->last};
    }
    extra["wan_state"] = c.state;
  }

  std::vector<std::string> skipped;
  s.port_forwards = parse_forwards(list_forward_rules(api), range, &skipped);
  s.static_forwards_known = true;
  try {
    for (PortForward& f : parse_upnp_mappings(list_upnp_mappings(api), &skipped)) {
      s.port_forwards.push_back(std::move(f));
    }
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::protocol) {
      throw;
    }
    errors["upnpigd/redir/"] = e.what();
  }
  if (!skipped.empty()) {
    extra["unrepresented_forwards"] = skipped;
  }
  if (auto r = rd.get("fw/dmz/")) {
    s.dmz = parse_dmz(*r);
  }
  if (auto r = rd.get("upnpigd/config/")) {
    s.upnp_igd_enabled = parse_upnp_enabled(*r);
  }
  if (auto r = rd.get("connection/config/")) {
    RemoteAccess ra = parse_remote_access(*r);
    s.remote_admin_enabled = ra.enabled;
    extra["remote_access"] = ra.saved;
  }
  if (auto r = rd.get("connection/ipv6/config/")) {
    Ipv6Config v6 = parse_ipv6_config(*r);
    s.ipv6_enabled = v6.enabled;
    s.ipv6_firewall_enabled = v6.firewall;
    extra["ipv6"] = v6.saved;
    // The Freebox API has no per-host IPv6 rule: no pinhole list, no exposed host over IPv6
    // (freebox.md 5: port forwards are IPv4 only; 8: the IPv6 settings are three switches and
    // the delegated prefixes). Once the box has answered about IPv6, the list of pinholes is
    // complete and empty.
    s.pinholes_known = s.ipv6_firewall_enabled.has_value();
  }
  if (auto r = rd.get("fw/incoming/")) {
    s.box_services = parse_box_services(*r);
    s.box_services_known = true;
  }
  try {
    s.vpn_server = read_vpn_server(api);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::protocol) {
      throw;
    }
    errors["vpn/"] = e.what();
  }
  if (!errors.empty()) {
    extra["read_errors"] = errors;
  }
  s.vendor_data = json{{"freebox", extra}};
  return s;
}

}  // namespace bw::freebox
