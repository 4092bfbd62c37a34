#include "vendors/openwrt/openwrt_read.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"

namespace bw::openwrt {

std::vector<Section> read_config(Ubus& api, const std::string& config) {
  return parse_sections(api.must("uci", "get", ojson{{"config", config}},
                                 fill(tr("read its UCI configuration {config}"), {{"config", config}})));
}

bool opens_admin(const InputRule& r, const std::vector<uint16_t>& ports) {
  if (!r.enabled) {
    return false;
  }
  bool tcp = std::any_of(r.protos.begin(), r.protos.end(), [](const std::string& p) {
    return p == "tcp" || p == "tcpudp" || p == "all" || p == "6";
  });
  if (!tcp) {
    return false;
  }
  if (r.ports.empty()) {
    return true;
  }
  for (const auto& [lo, hi] : r.ports) {
    for (uint16_t p : ports) {
      if (p >= lo && p <= hi) {
        return true;
      }
    }
  }
  return false;
}

bool remote_admin_open(const Firewall& fw, const std::vector<uint16_t>& ports) {
  if (fw.wan_input && (*fw.wan_input == "ACCEPT" || *fw.wan_input == "accept")) {
    return true;
  }
  return std::any_of(fw.input_rules.begin(), fw.input_rules.end(),
                     [&](const InputRule& r) { return opens_admin(r, ports); });
}

std::vector<uint16_t> read_admin_ports(Ubus& api) {
  std::vector<Section> uhttpd, dropbear;
  Reply u = api.call("uci", "get", ojson{{"config", "uhttpd"}});
  if (u.status == 0) uhttpd = parse_sections(u.data);
  Reply d = api.call("uci", "get", ojson{{"config", "dropbear"}});
  if (d.status == 0) dropbear = parse_sections(d.data);
  return admin_ports(uhttpd, dropbear);
}

void add_menus(RouterState& s) {
  json& m = s.vendor_data["menus"];
  m["web_ui"] = tr("Open the router's LuCI pages (http://192.168.1.1 by default) and sign in as root.");
  m["port_forwards"] = tr("Go to Network > Firewall > Port Forwards, untick or delete the rule, then Save & Apply.");
  m["dmz"] = tr("Go to Network > Firewall > Port Forwards: the rule without an external port sends every port to "
                "one machine; untick it, then Save & Apply.");
  m["upnp_igd"] = tr("Go to Services > UPnP IGD & PCP (luci-app-upnp), untick Start service, then Save & Apply.");
  m["remote_admin"] = tr("Go to Network > Firewall > Traffic Rules and untick the rules that accept ports 22, 80 or 443 "
                         "from the wan zone; check that the wan zone's Input is reject (Network > Firewall > General Settings).");
  m["ipv6_firewall"] = tr("Go to Network > Firewall > General Settings and set the wan zone's Forward to drop or reject.");
  m["ipv6_pinholes"] = tr("Go to Network > Firewall > Traffic Rules and untick the rule that accepts IPv6 from wan to lan.");
}

RouterState read_router_state(Ubus& api) {
  RouterState s;
  s.address = api.address();
  s.vendor = "openwrt";
  s.apis = {"openwrt"};
  json extra = json::object();
  json errors = json::object();
  extra["transport"] = "http";
  extra["transport_warning"] = tr("boxwarden talked to the router's ubus over plain HTTP on the LAN: its rpcd session "
                                  "id crossed the LAN in clear");
  auto opt = [&](const std::string& object, const std::string& method, const ojson& args) -> std::optional<ojson> {
    Reply r = api.call(object, method, args);
    if (r.status != 0) {
      std::string key = object + "." + method + (args.contains("config") ? " " + args["config"].get<std::string>() : "");
      errors[key] = status_name(r.status);
      return std::nullopt;
    }
    return std::move(r.data);
  };

  if (auto b = opt("system", "board", ojson::object())) {
    Board board = parse_board(*b);
    s.model = board.model.empty() ? board.board_name : board.model;
    s.firmware = board.firmware;
  }
  std::vector<uint16_t> ports = read_admin_ports(api);
  extra["admin_ports"] = ports;
  std::vector<std::string> wan_networks = {"wan", "wan6"};
  if (auto f = opt("uci", "get", ojson{{"config", "firewall"}})) {
    Firewall fw = parse_firewall(parse_sections(*f));
    wan_networks = fw.wan_networks;
    for (PortForward& p : fw.forwards) {
      p.apis = {"openwrt"};
      s.port_forwards.push_back(std::move(p));
    }
    s.static_forwards_known = true;
    s.dmz = fw.exposed_host ? *fw.exposed_host : Dmz{};
    if (fw.exposed_host6) {
      s.ipv6_exposed_host = fw.exposed_host6;
    }
    s.remote_admin_enabled = remote_admin_open(fw, ports);
    bool forward_open = fw.wan_forward && (*fw.wan_forward == "ACCEPT" || *fw.wan_forward == "accept");
    s.ipv6_firewall_enabled = !forward_open;
    for (Pinhole& p : fw.pinholes) {
      p.apis = {"openwrt"};
      s.pinholes.push_back(std::move(p));
    }
    s.pinholes_known = true;
    s.box_services_known = true;
    for (const InputRule& r : fw.input_rules) {
      for (const std::string& proto : r.protos) {
        for (const auto& [lo, hi] : r.ports.empty() ? std::vector<std::pair<uint16_t, uint16_t>>{{0, 0}} : r.ports) {
          BoxService b;
          b.id = r.name;
          b.protocol = printable(proto, 8);
          b.port = lo;
          b.enabled = r.enabled;
          b.active = r.enabled;
          if (s.box_services.size() < 64) s.box_services.push_back(b);
          (void)hi;
        }
      }
    }
    if (fw.wan_input) extra["wan_input"] = *fw.wan_input;
    if (fw.wan_forward) extra["wan_forward"] = *fw.wan_forward;
    if (!fw.skipped.empty()) extra["unrepresented_forwards"] = fw.skipped;
  }
  if (auto dump = opt("network.interface", "dump", ojson::object())) {
    Wan w = parse_interface_dump(*dump, wan_networks);
    s.external_ip = w.ipv4;
    s.ipv6_enabled = w.ipv6;
  }
  Reply up = api.call("uci", "get", ojson{{"config", "upnpd"}});
  if (up.status == 0) {
    Upnpd u = parse_upnpd(parse_sections(up.data));
    s.upnp_igd_enabled = u.enabled;
    if (u.secure_mode) extra["upnp_secure_mode"] = *u.secure_mode;
    extra["upnp_allows_low_ports"] = u.allows_low_ports;
    if (u.enabled == true && !u.lease_file.empty() && u.lease_file.size() < 200 && u.lease_file[0] == '/') {
      Reply lf = api.call("file", "read", ojson{{"path", u.lease_file}});
      auto data = lf.data.find("data");
      if (lf.status == 0 && data != lf.data.end() && data->is_string()) {
        std::vector<std::string> skipped;
        auto leases = parse_leases(data->get<std::string>(), &skipped);
        extra["upnp_leases"] = leases.size();
        for (PortForward& f : leases) {
          f.apis = {"openwrt"};  // changed through the router's IGD (openwrt.cpp), never through UCI
          if (s.port_forwards.size() < 4096) s.port_forwards.push_back(std::move(f));
        }
      } else if (lf.status != k_ubus_not_found) {
        errors["file.read lease file"] = status_name(lf.status);
      }
    }
  } else if (up.status == k_ubus_not_found) {
    s.upnp_igd_enabled = false;  // miniupnpd is not installed
  } else {
    errors["uci.get upnpd"] = status_name(up.status);
  }
  Reply net = api.call("uci", "get", ojson{{"config", "network"}});
  if (net.status == 0) {
    json wg = json::array();
    for (const WireGuard& w : parse_wireguard(parse_sections(net.data))) {
      wg.push_back({{"interface", w.name}, {"listen_port", w.listen_port}, {"peers", w.peers}, {"disabled", w.disabled}});
    }
    if (!wg.empty()) extra["wireguard"] = wg;
  }
  if (!errors.empty()) {
    extra["read_errors"] = errors;
  }
  s.vendor_data = json{{"openwrt", extra}};
  add_menus(s);
  return s;
}

}  // namespace bw::openwrt
