#include "vendors/bbox/bbox_read.hpp"

#include "core/error.hpp"
#include "core/i18n.hpp"

namespace bw::bbox {

json read_nat(ApiClient& api) {
  return api.get("nat/rules", tr("list its port forwards (NAT/PAT)"));
}

json read_dmz(ApiClient& api) {
  return api.get("nat/dmz", tr("read its DMZ"));
}

std::optional<bool> read_upnp(ApiClient& api) {
  return parse_upnp_igd(api.get("upnp/igd", tr("read its UPnP switch")));
}

Services read_services(ApiClient& api) {
  return parse_services(api.get("services", tr("read its services")));
}

void add_menus(RouterState& s) {
  s.vendor_data["menus"]["web_ui"] = tr("Open the Bbox's pages (http://mabbox.bytel.fr, or http://192.168.1.254) and sign in with "
                         "the Bbox's admin password.");
  s.vendor_data["menus"]["port_forwards"] = tr("Go to Services de la Bbox > Redirections de ports (NAT/PAT) and delete the rule, or "
                                "untick it.");
  s.vendor_data["menus"]["dmz"] = tr("Go to Services de la Bbox > DMZ and switch the DMZ off.");
  s.vendor_data["menus"]["upnp_igd"] = tr("Go to Services de la Bbox > UPnP and switch UPnP IGD off.");
  s.vendor_data["menus"]["remote_admin"] = tr("Go to Services de la Bbox > Accès à distance and switch the remote access to the "
                               "Bbox's pages off.");
  s.vendor_data["menus"]["ipv6_firewall"] = tr("Go to Services de la Bbox > Pare-feu (IPv6) and switch the IPv6 firewall on.");
  s.vendor_data["menus"]["ipv6_pinholes"] = tr("Go to Services de la Bbox > Pare-feu > Règles IPv6 and delete the rule.");
}

RouterState read_router_state(ApiClient& api, const std::optional<Device>& anonymous) {
  RouterState s;
  s.address = api.address();
  s.vendor = "bbox";
  s.apis = {"bbox"};
  json extra = json::object();
  json errors = json::object();
  extra["transport"] = "http";
  extra["transport_warning"] = tr("the Bbox serves its API over plain HTTP on the LAN: its session cookie crossed "
                                  "the LAN in clear");
  auto opt = [&](const std::string& path, std::string_view what) -> std::optional<json> {
    std::string why;
    auto j = api.try_get(path, what, &why);
    if (!j) {
      errors[path] = why;
    }
    return j;
  };

  std::optional<Device> dev = anonymous;
  if (auto j = opt("device", tr("read its model"))) {
    if (auto d = parse_device(*j)) {
      dev = d;
    }
  }
  if (dev) {
    s.model = dev->model;
    s.firmware = dev->firmware;
    if (!dev->serial.empty()) {
      s.box_identity = "bbox-serial:" + dev->serial;
    }
  }
  std::optional<bool> wan6;
  if (auto j = opt("wan/ip", tr("read its Internet address"))) {
    WanIp w = parse_wan_ip(*j);
    s.external_ip = w.address;
    wan6 = w.ipv6_up;
    if (!w.port_range.empty()) {
      extra["wan_port_range"] = w.port_range;
    }
  }
  Services svc;
  if (auto j = opt("services", tr("read its services"))) {
    svc = parse_services(*j);
    s.remote_admin_enabled = svc.remote_admin;
    extra["remote_admin"] = svc.remote_saved;
    if (svc.proxywol) {
      extra["proxywol"] = *svc.proxywol;
    }
  }
  std::vector<std::string> skipped;
  if (auto j = opt("nat/rules", tr("list its port forwards (NAT/PAT)"))) {
    NatRules n = parse_nat_rules(*j);
    s.port_forwards = std::move(n.forwards);
    s.static_forwards_known = true;
    skipped = std::move(n.skipped);
    if (n.enabled) {
      extra["nat_enabled"] = *n.enabled;
    }
  }
  if (auto j = opt("nat/dmz", tr("read its DMZ"))) {
    s.dmz = parse_dmz(*j);
  }
  if (auto j = opt("upnp/igd", tr("read its UPnP switch"))) {
    s.upnp_igd_enabled = parse_upnp_igd(*j);
  }
  if (!s.upnp_igd_enabled) {
    s.upnp_igd_enabled = svc.upnp;
  }
  if (s.upnp_igd_enabled.value_or(true)) {
    if (auto j = opt("upnp/igd/rules", tr("list its UPnP mappings"))) {
      for (PortForward& f : parse_upnp_rules(*j, &skipped)) {
        s.port_forwards.push_back(std::move(f));
      }
    }
  }
  s.ipv6_enabled = wan6.has_value() ? wan6 : (dev ? dev->ipv6 : std::nullopt);
  if (s.ipv6_enabled != false) {
    if (auto j = opt("firewall/v6/rules", tr("read its IPv6 firewall"))) {
      Ipv6Firewall v6 = parse_ipv6_firewall(*j);
      s.ipv6_firewall_enabled = v6.enabled;
      s.pinholes = std::move(v6.rules);
      s.pinholes_known = v6.listed && v6.enabled.has_value();
    }
  }
  if (!skipped.empty()) {
    extra["unrepresented_forwards"] = skipped;
  }
  if (!errors.empty()) {
    extra["read_errors"] = errors;
  }
  s.vendor_data = json{{"bbox", extra}};
  add_menus(s);
  return s;
}

}  // namespace bw::bbox
