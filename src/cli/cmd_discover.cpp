// `boxwarden discover`: where the box is, what it is, which APIs answer.
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "core/text.hpp"

namespace bw::cli {

namespace {

// The box's IPv6 side as far as it says: on the Internet side, its firewall, its pinholes.
nlohmann::json ipv6_json(const RouterState& s) {
  auto flag = [](const std::optional<bool>& b) { return b ? nlohmann::json(*b) : nlohmann::json(nullptr); };
  return {{"enabled", flag(s.ipv6_enabled)},
          {"firewall", flag(s.ipv6_firewall_enabled)},
          {"firewall_level", s.ipv6_firewall_level.empty() ? nlohmann::json(nullptr)
                                                           : nlohmann::json(valid_utf8(s.ipv6_firewall_level))},
          {"pinholes", s.pinholes.size()},
          {"pinholes_known", s.pinholes_known}};
}

std::string ipv6_text(const RouterState& s) {
  if (s.ipv6_enabled == false) {
    return "IPv6: off on the Internet side\n";
  }
  std::string fw = !s.ipv6_firewall_enabled ? "unknown" : *s.ipv6_firewall_enabled ? "on" : "off";
  if (!s.ipv6_firewall_level.empty()) {
    fw += " (level \"" + printable(s.ipv6_firewall_level, 40) + "\")";
  }
  std::string pinholes = std::to_string(s.pinholes.size());
  if (!s.pinholes_known) {
    pinholes = s.pinholes.empty() ? "unknown" : pinholes + " seen, the box may have more";
  }
  return "IPv6 firewall: " + fw + "\nIPv6 pinholes: " + pinholes + "\n";
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
                     {"ssdp_server", valid_utf8(d.ssdp_server)},
                     {"ipv6", ipv6_json(s)}}},
        {"ignored_ssdp_answers", ignored},
    };
    app.out() << j.dump(2) << "\n";
    return ExitCode::ok;
  }
  auto& out = app.out();
  out << "Box: " << d.target.address << " (found in the " << d.gateway_source << ")\n";
  out << "Model: " << printable(s.model.empty() ? "unknown" : s.model, 80) << "\n";
  out << "Firmware: " << printable(s.firmware.empty() ? "unknown" : s.firmware, 80) << "\n";
  out << "Internet address: " << (s.external_ip.empty() ? "unknown" : printable(s.external_ip, 45)) << "\n";
  out << "APIs that answer:";
  for (const auto& a : apis) {
    out << " " << a;
  }
  out << "\n";
  out << ipv6_text(s);
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
