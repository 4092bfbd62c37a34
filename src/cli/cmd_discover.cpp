// `boxwarden discover`: where the box is, what it is, which APIs answer.
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/document.hpp"
#include "core/box_id.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"

namespace bw::cli {

namespace {

// The box's IPv6 status in one line: IPv6 gives every LAN machine its own Internet address, so
// the firewall and its holes are what keep them out of reach.
std::string ipv6_status(const RouterState& s) {
  if (s.ipv6_enabled == false) {
    return tr("off (the box has no IPv6 on its Internet side)");
  }
  std::string firewall = !s.ipv6_firewall_enabled ? tr("firewall unknown")
                         : *s.ipv6_firewall_enabled ? tr("firewall on")
                                                    : tr("firewall OFF: every device is reachable from the Internet");
  if (s.ipv6_firewall_enabled && !s.ipv6_firewall_level.empty()) {
    firewall = fill(tr("{firewall} (level {level})"), {{"firewall", firewall}, {"level", printable(s.ipv6_firewall_level, 20)}});
  }
  std::string n = std::to_string(s.pinholes.size());
  std::string holes = s.pinholes_known
                          ? fill(trn("{n} pinhole", "{n} pinholes", s.pinholes.size()), {{"n", n}})
                          : fill(trn("{n} pinhole seen (the box may hold more)", "{n} pinholes seen (the box may hold more)",
                                     s.pinholes.size()),
                                 {{"n", n}});
  return s.ipv6_enabled ? fill(tr("on, {firewall}, {pinholes}"), {{"firewall", firewall}, {"pinholes", holes}})
                        : fill(tr("{firewall}, {pinholes}"), {{"firewall", firewall}, {"pinholes", holes}});
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
  out << fill(tr("Box: {address} (found in the {source})"), {{"address", d.target.address}, {"source", d.gateway_source}})
      << "\n";
  out << fill(tr("Model: {model}"), {{"model", s.model.empty() ? std::string(tr("unknown")) : printable(s.model, 80)}}) << "\n";
  out << fill(tr("Firmware: {firmware}"), {{"firmware", s.firmware.empty() ? std::string(tr("unknown")) : printable(s.firmware, 80)}})
      << "\n";
  out << fill(tr("Internet address: {address}"),
              {{"address", s.external_ip.empty() ? std::string(tr("unknown")) : printable(s.external_ip, 45)}})
      << "\n";
  out << fill(tr("IPv6: {status}"), {{"status", ipv6_status(s)}}) << "\n";
  std::string list;
  for (const auto& a : apis) {
    list += " " + a;
  }
  out << fill(tr("APIs that answer:{apis}"), {{"apis", list}}) << "\n";
  if (!d.target.igd_desc_url.empty()) {
    out << fill(tr("UPnP description: {url}"), {{"url", printable(d.target.igd_desc_url, 200)}}) << "\n";
  }
  if (!d.ignored_ssdp.empty()) {
    std::string from;
    for (const auto& r : d.ignored_ssdp) {
      from += " " + r.from;
    }
    out << fill(trn("Ignored {n} UPnP answer(s) from other machines claiming to be a gateway:{from}",
                    "Ignored {n} UPnP answer(s) from other machines claiming to be a gateway:{from}", d.ignored_ssdp.size()),
                {{"n", std::to_string(d.ignored_ssdp.size())}, {"from", from}})
        << "\n";
  }
  return ExitCode::ok;
}

}  // namespace bw::cli
