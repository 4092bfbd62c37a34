// `boxwarden discover`: where the box is, what it is, which APIs answer.
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/document.hpp"
#include "core/box_id.hpp"
#include "core/text.hpp"

namespace bw::cli {

namespace {

// The box's IPv6 status in one line: IPv6 gives every LAN machine its own Internet address, so
// the firewall and its holes are what keep them out of reach.
std::string ipv6_status(const RouterState& s) {
  if (s.ipv6_enabled == false) {
    return "off (the box has no IPv6 on its Internet side)";
  }
  std::string firewall = !s.ipv6_firewall_enabled ? "firewall unknown"
                         : *s.ipv6_firewall_enabled ? "firewall on"
                                                    : "firewall OFF: every device is reachable from the Internet";
  if (s.ipv6_firewall_enabled && !s.ipv6_firewall_level.empty()) {
    firewall += " (level " + printable(s.ipv6_firewall_level, 20) + ")";
  }
  std::string holes = std::to_string(s.pinholes.size()) + " pinhole" + (s.pinholes.size() == 1 ? "" : "s") +
                      (s.pinholes_known ? "" : " seen (the box may hold more)");
  return (s.ipv6_enabled ? "on, " : "") + firewall + ", " + holes;
}

nlohmann::json ipv6_json(const RouterState& s) {
  nlohmann::json full = to_json(s, false);
  return {{"enabled", s.ipv6_enabled ? nlohmann::json(*s.ipv6_enabled) : nlohmann::json(nullptr)},
          {"firewall", full["ipv6_firewall"]},
          {"pinholes", s.pinholes.size()},
          {"pinholes_known", s.pinholes_known}};
}

}  // namespace

ExitCode cmd_discover(App& app) {
  Discovered d = app.discover();
  std::vector<std::string> apis;
  for (const VendorPlugin* p : d.plugins) {
    apis.emplace_back(p->id());
  }
  if (d.natpmp_external_ip) {
    apis.emplace_back("nat-pmp");
  }
  auto box = app.connect(d);
  RouterState s = box->read_state();
  if (app.opt().format == Format::json) {
    nlohmann::json ignored = nlohmann::json::array();
    for (const auto& r : d.ignored_ssdp) {
      ignored.push_back({{"from", r.from}, {"location", valid_utf8(r.location)}});
    }
    nlohmann::json j = {
        {"tool", {{"name", "boxwarden"}, {"version", BOXWARDEN_VERSION}}},
        {"gateway", {{"address", d.target.address}, {"found_by", d.gateway_source},
                     {"vendor", s.vendor}, {"model", valid_utf8(s.model)}, {"firmware", valid_utf8(s.firmware)},
                     {"external_ip", s.external_ip}, {"apis", apis},
                     {"upnp_description", valid_utf8(d.target.igd_desc_url)},
                     {"ssdp_server", valid_utf8(d.ssdp_server)}, {"ipv6", ipv6_json(s)}}},
        {"ignored_ssdp_answers", ignored},
    };
    auto id = box_id(s.box_identity);  // the hash only: the serial or UDN itself is never printed
    j["gateway"]["box_id"] = id ? nlohmann::json(*id) : nlohmann::json(nullptr);
    stamp(j, app.opt().site);
    app.out() << j.dump(2) << "\n";
    return ExitCode::ok;
  }
  auto& out = app.out();
  out << "Box: " << d.target.address << " (found in the " << d.gateway_source << ")\n";
  out << "Model: " << printable(s.model.empty() ? "unknown" : s.model, 80) << "\n";
  out << "Firmware: " << printable(s.firmware.empty() ? "unknown" : s.firmware, 80) << "\n";
  out << "Internet address: " << (s.external_ip.empty() ? "unknown" : printable(s.external_ip, 45)) << "\n";
  out << "IPv6: " << ipv6_status(s) << "\n";
  out << "APIs that answer:";
  for (const auto& a : apis) {
    out << " " << a;
  }
  out << "\n";
  if (!d.target.igd_desc_url.empty()) {
    out << "UPnP description: " << printable(d.target.igd_desc_url, 200) << "\n";
  }
  if (!d.ignored_ssdp.empty()) {
    out << "Ignored " << d.ignored_ssdp.size()
        << " UPnP answer(s) from other machines claiming to be a gateway:";
    for (const auto& r : d.ignored_ssdp) {
      out << " " << r.from;
    }
    out << "\n";
  }
  return ExitCode::ok;
}

}  // namespace bw::cli
