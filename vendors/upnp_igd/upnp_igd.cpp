#include "vendors/upnp_igd/upnp_igd.hpp"

#include <algorithm>
#include <functional>
#include <optional>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"
#include "net/http_client.hpp"
#include "net/ssdp.hpp"
#include "net/soap.hpp"
#include "vendors/upnp_igd/igd_xml.hpp"
#include "vendors/upnp_igd/pinhole_walk.hpp"

namespace bw {

namespace {

constexpr size_t k_max_description = 256 * 1024;
constexpr size_t k_max_reply = 8 * 1024 * 1024;
constexpr int k_page = 1000;            // entries asked per GetListOfPortMappings
constexpr uint32_t k_max_entries = 65536;  // index walk cap
// IPv6 firewall calls: their replies are a few hundred bytes; each call gets at most
// k_ipv6_call_cap, and the whole pinhole walk at most k_pinhole_walk_share of what is left of
// the run, and k_pinhole_walk_cap: a box that answers slowly, or "exists" for every id, cannot
// hold the run. The share is small because a fix reads the box again after each change and
// before each undo: a hung change must leave time for the undo and its check
// (tests/lab/igd_faults_test.sh, the hang cells with --timeout 3).
constexpr size_t k_max_ipv6_reply = 64 * 1024;
constexpr std::chrono::milliseconds k_ipv6_call_cap{3000};
constexpr std::chrono::milliseconds k_pinhole_walk_cap{10000};
constexpr int k_pinhole_walk_share = 8;

// Description URLs tried on the gateway when SSDP did not give one (miniupnpd, FRITZ!Box).
constexpr const char* k_known_descriptions[] = {":5000/rootDesc.xml", ":49000/igddesc.xml"};

std::string upnp_error_text(int code) {
  switch (code) {
    case 401: return tr("the box does not offer that UPnP action");
    case 402: return tr("the box rejected the arguments");
    case 501: return tr("the box could not do it (UPnP error 501)");
    case 606: return tr("the box allows each machine to change only its own mappings (UPnP error 606)");
    case 714: return tr("no such mapping, or not this machine's (UPnP error 714)");
    case 718: return tr("the port is already mapped to another machine (UPnP error 718)");
    case 725: return tr("the box accepts only permanent mappings (UPnP error 725)");
    default: return fill(tr("UPnP error {code}"), {{"code", std::to_string(code)}});
  }
}

igd::Description fetch_description(HttpClient& http, const Deadline& deadline, const std::string& url,
                                   const std::string& gateway) {
  if (!location_on_host(url, gateway)) {
    throw Error(ErrorKind::protocol, "the IGD description is not on the gateway " + gateway);
  }
  HttpRequest req;
  req.url = url;
  req.max_response_bytes = k_max_description;
  // At least 3 s, more when the run has time (half of what is left, at most 10 s): a busy box
  // answers its description late (tests/lab/fleet_test.sh: 20 sites on two cores).
  req.timeout = std::max(std::chrono::milliseconds(3000), deadline.call_budget(std::chrono::milliseconds(10000)));
  auto resp = http.perform(req, deadline);
  if (resp.status != 200) {
    throw Error(ErrorKind::protocol, "the box answered HTTP " + std::to_string(resp.status) + " for " + url);
  }
  auto d = igd::parse_description(resp.body, url);
  // Never follow a control URL off the gateway (a rogue description could aim us anywhere).
  d.services.erase(std::remove_if(d.services.begin(), d.services.end(),
                                  [&](const igd::WanService& s) { return !location_on_host(s.control_url, gateway); }),
                   d.services.end());
  if (d.services.empty()) {
    throw Error(ErrorKind::protocol, "the box's UPnP description offers no WAN connection service on " + gateway);
  }
  if (d.ipv6_firewall && !location_on_host(d.ipv6_firewall->control_url, gateway)) {
    d.ipv6_firewall.reset();
  }
  return d;
}

class IgdSession : public Session {
 public:
  IgdSession(const Target& target, SessionContext& ctx, igd::Description desc, std::string desc_url)
      : m_target(target), m_http(ctx.http), m_deadline(ctx.deadline), m_tell(ctx.tell), m_desc(std::move(desc)),
        m_desc_url(std::move(desc_url)) {}

  RouterState read_state() override {
    RouterState s;
    s.address = m_target.address;
    s.vendor = "upnp-igd";
    s.model = m_desc.manufacturer.empty() ? m_desc.model_name : m_desc.manufacturer + " " + m_desc.model_name;
    s.firmware = m_desc.model_number;
    s.box_identity = m_desc.udn.empty() ? std::string() : "upnp-udn:" + m_desc.udn;
    s.apis = {"upnp-igd"};
    s.upnp_igd_enabled = true;  // it answers, so it is on
    s.static_forwards_known = false;
    auto ip = call("GetExternalIPAddress", {});
    if (ip.fault_code == 0) {
      s.external_ip = ip.values["NewExternalIPAddress"];
    }
    s.port_forwards = list_mappings();
    read_ipv6(s);
    return s;
  }

  void apply(const Change& a) override {
    const PortForward& f = forward_of(a);
    soap::Reply r;
    if (a.kind == ChangeKind::delete_port_forward) {
      // Only the mapping that was read: DeletePortMapping names a port, not a mapping, and
      // deletes whatever holds it now (another machine's mapping that took its place).
      if (!holds(f, true)) {
        return;  // already gone: the re-read that follows is the check
      }
      r = call("DeletePortMapping", delete_args(f), true);
    } else if (a.kind == ChangeKind::add_port_forward) {
      // AddPortMapping would re-point a port that another machine has taken since.
      holds(f, false);
      r = call("AddPortMapping", add_args(f), true);
    } else {
      throw Error(ErrorKind::unsupported, "UPnP cannot do that; it is a manual step");
    }
    if (r.fault_code != 0) {
      throw Error(ErrorKind::refused, std::string(a.kind == ChangeKind::delete_port_forward ? "deleting " : "restoring ") +
                                          "the UPnP mapping of " + f.key() + ": " + upnp_error_text(r.fault_code));
    }
  }

 private:
  const igd::WanService& service() const { return m_desc.services.front(); }

  // Whether the port of `f` is mapped now, and to `f`'s machine and port: throws
  // Error(conflict) when it is mapped to something else (left alone). A box that cannot say
  // (no such action, or it hides other machines' mappings) is trusted with the change itself.
  bool holds(const PortForward& f, bool for_delete) const {
    auto r = call("GetSpecificPortMappingEntry", delete_args(f));
    if (r.fault_code == 714) {
      return false;
    }
    if (r.fault_code != 0) {
      return true;
    }
    const std::string& host = r.values["NewInternalClient"];
    const std::string& port = r.values["NewInternalPort"];
    if (host == f.internal_host && port == std::to_string(f.internal_port)) {
      return true;
    }
    std::string desc = r.values["NewPortMappingDescription"];
    std::string now = fill(tr("{host} port {port}"), {{"host", printable(host, 45)}, {"port", printable(port, 8)}});
    if (!desc.empty()) {
      now = fill(tr("{where} (\"{label}\")"), {{"where", now}, {"label", printable(desc, 60)}});
    }
    std::string forward = fill(tr("{protocol} port {port}"),
                               {{"protocol", to_string(f.protocol)}, {"port", std::to_string(f.external_port)}});
    throw Error(ErrorKind::conflict,
                fill(for_delete ? tr("{forward} now goes to {where}, not to {host} as read; that mapping was left alone: "
                                     "run the command again to see the box as it is now")
                                : tr("{forward} now goes to {where}, not to {host} as read; it was left alone: the saved "
                                     "mapping cannot be put back without removing it"),
                     {{"forward", forward}, {"where", now}, {"host", f.internal_host}}));
  }

  static const PortForward& forward_of(const Change& a) {
    if (!a.forward) {
      throw Error(ErrorKind::unsupported, "UPnP can only add or delete port mappings");
    }
    return *a.forward;
  }

  static std::vector<std::pair<std::string, std::string>> delete_args(const PortForward& f) {
    return {{"NewRemoteHost", f.remote_host},
            {"NewExternalPort", std::to_string(f.external_port)},
            {"NewProtocol", std::string(to_string(f.protocol))}};
  }

  static std::vector<std::pair<std::string, std::string>> add_args(const PortForward& f) {
    return {{"NewRemoteHost", f.remote_host},
            {"NewExternalPort", std::to_string(f.external_port)},
            {"NewProtocol", std::string(to_string(f.protocol))},
            {"NewInternalPort", std::to_string(f.internal_port)},
            {"NewInternalClient", f.internal_host},
            {"NewEnabled", f.enabled ? "1" : "0"},
            {"NewPortMappingDescription", f.description},
            {"NewLeaseDuration", std::to_string(f.lease_seconds)}};
  }

  // The IPv6 firewall (WANIPv6FirewallControl), when the box offers it; otherwise
  // ipv6_firewall_enabled stays unknown. pinholes_known stays false: UPnP sees only the
  // pinholes it knows, never those made in the box's own pages. Nothing here fails the read:
  // a box whose IPv6 service misbehaves leaves the IPv6 fields unknown and says why.
  void read_ipv6(RouterState& s) {
    if (!m_desc.ipv6_firewall) {
      return;
    }
    const igd::WanService& fc = *m_desc.ipv6_firewall;
    nlohmann::json info = nlohmann::json::object();
    try {
      auto r = call_on(fc, "GetFirewallStatus", {}, false, k_max_ipv6_reply, m_deadline.call_budget(k_ipv6_call_cap));
      auto status = r.fault_code == 0 ? igd::firewall_status_from_values(r.values) : std::nullopt;
      if (status) {
        s.ipv6_firewall_enabled = status->enabled;
        info["inbound_pinhole_allowed"] = status->inbound_pinhole_allowed;
      } else {
        info["firewall_status"] = r.fault_code != 0 ? upnp_error_text(r.fault_code) : "unreadable reply";
      }
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::protocol && e.kind() != ErrorKind::unreachable) {
        throw;
      }
      info["firewall_status"] = printable(e.what(), 200);
    }
    // Once per run: this plugin never changes a pinhole, and a fix reads the box again after
    // each change and before each undo; walking 33 ids or more each time would spend the
    // run's time (and its deadline) on what cannot have been changed by it.
    if (!m_walk) {
      m_walk = walk_pinholes(fc);
    }
    const igd::PinholeWalk& walk = *m_walk;
    for (const auto& found : walk.found) {
      Pinhole p;
      p.id = std::to_string(found.id);
      p.origin = {"upnp"};
      p.apis = {"upnp-igd"};
      p.details_hidden = true;  // no UPnP action returns a pinhole's details, even to its owner
      p.vendor_data = {{"owned", found.owned}};
      s.pinholes.push_back(std::move(p));
    }
    info["pinhole_walk"] = {{"ids_asked", walk.ids_asked},
                            {"found", walk.found.size()},
                            {"cut_short", walk.cut_short},
                            {"stopped", printable(walk.stopped, 300)}};
    if (walk.cut_short && m_tell && !m_told_cut_walk) {
      m_told_cut_walk = true;  // once per run: a fix reads the box again after each change
      m_tell(fill(tr("the box's IPv6 pinholes were not all read through UPnP ({reason}): {count} reported, there may "
                     "be more"),
                  {{"reason", printable(walk.stopped, 300)}, {"count", std::to_string(walk.found.size())}}));
    }
    if (!s.vendor_data.is_object()) {
      s.vendor_data = nlohmann::json::object();
    }
    s.vendor_data["upnp_ipv6_firewall"] = std::move(info);
  }

  // GetPinholePackets for UniqueIDs 1, 2, 3... (igd/pinhole_walk.hpp), within its share of
  // the run: each call gets at most what is left of the walk's time.
  igd::PinholeWalk walk_pinholes(const igd::WanService& fc) {
    const auto budget = std::min(std::chrono::duration_cast<std::chrono::milliseconds>(m_deadline.remaining()) /
                                     k_pinhole_walk_share,
                                 k_pinhole_walk_cap);
    const auto floor = m_deadline.remaining() - budget;  // the walk ends when only this is left
    auto left = [&] { return m_deadline.remaining() - floor; };
    auto ask = [&](uint32_t id) {
      auto timeout = std::max(std::min(m_deadline.call_budget(k_ipv6_call_cap), left()), std::chrono::milliseconds(1));
      return call_on(fc, "GetPinholePackets", {{"UniqueID", std::to_string(id)}}, false, k_max_ipv6_reply, timeout)
          .fault_code;
    };
    return igd::walk_pinholes(ask, [&] { return left() >= std::chrono::milliseconds(50); });
  }

  // `changes`: the action changes the box (--dry-run writes it down instead of sending it).
  soap::Reply call(const std::string& action, const std::vector<std::pair<std::string, std::string>>& args,
                      bool changes = false) const {
    return call_on(service(), action, args, changes, k_max_reply, m_deadline.call_budget(std::chrono::milliseconds(10000)));
  }

  soap::Reply call_on(const igd::WanService& svc, const std::string& action,
                      const std::vector<std::pair<std::string, std::string>>& args, bool changes, size_t max_bytes,
                      std::chrono::milliseconds timeout) const {
    HttpRequest req;
    req.method = "POST";
    req.url = svc.control_url;
    req.headers = {"Content-Type: text/xml; charset=\"utf-8\"",
                   "SOAPAction: \"" + svc.service_type + "#" + action + "\""};
    req.body = soap::envelope(svc.service_type, action, args);
    req.max_response_bytes = max_bytes;
    req.timeout = timeout;
    if (changes) {
      req.changes_box = true;
      std::string what = "SOAPAction " + svc.service_type + "#" + action + " (";
      for (size_t i = 0; i < args.size(); ++i) {
        what += (i ? ", " : "") + args[i].first + "=" + args[i].second;
      }
      req.what = what + ")";
      req.reply_when_not_sent = soap::envelope(svc.service_type, action + "Response", {});
    }
    auto resp = m_http.perform(req, m_deadline);
    if (resp.status != 200 && resp.status != 500) {
      throw Error(ErrorKind::protocol, action + ": the box answered HTTP " + std::to_string(resp.status));
    }
    return soap::parse_reply(resp.body);
  }

  std::vector<PortForward> list_mappings() {
    if (service().version >= 2) {
      if (auto all = list_v2()) {
        return *all;
      }
    }
    return walk_index();
  }

  // IGD:2 GetListOfPortMappings, paged by port; nullopt when the box refuses it.
  std::optional<std::vector<PortForward>> list_v2() {
    std::vector<PortForward> out;
    for (const char* proto : {"TCP", "UDP"}) {
      unsigned start = 1;
      while (start <= 65535) {
        auto r = call("GetListOfPortMappings", {{"NewStartPort", std::to_string(start)},
                                                {"NewEndPort", "65535"},
                                                {"NewProtocol", proto},
                                                {"NewManage", "1"},
                                                {"NewNumberOfPorts", std::to_string(k_page)}});
        if (r.fault_code == 730 || r.fault_code == 714) {
          break;  // no mapping in that range
        }
        if (r.fault_code != 0) {
          if (out.empty() && std::string(proto) == "TCP") {
            return std::nullopt;
          }
          throw Error(ErrorKind::protocol, "GetListOfPortMappings: " + upnp_error_text(r.fault_code));
        }
        auto page = igd::parse_port_listing(r.values["NewPortListing"]);
        unsigned last = 0;
        for (auto& f : page) {
          last = std::max<unsigned>(last, f.external_port);
          out.push_back(std::move(f));
        }
        // Stop on a short page, and on a box whose pages do not move forward (it would be
        // asked again until the deadline).
        if (page.size() < static_cast<size_t>(k_page) || last < start || out.size() > 2 * k_max_entries) {
          break;
        }
        start = last + 1;
      }
    }
    return out;
  }

  std::vector<PortForward> walk_index() {
    std::vector<PortForward> out;
    for (uint32_t i = 0; i < k_max_entries; ++i) {
      auto r = call("GetGenericPortMappingEntry", {{"NewPortMappingIndex", std::to_string(i)}});
      if (r.fault_code == 713 || r.fault_code == 714 || r.fault_code == 402 || r.fault_code == 501) {
        break;  // end of the list (boxes disagree on the code)
      }
      if (r.fault_code != 0) {
        throw Error(ErrorKind::protocol, "GetGenericPortMappingEntry: " + upnp_error_text(r.fault_code));
      }
      if (auto f = igd::port_forward_from_values(r.values)) {
        out.push_back(std::move(*f));
      }
    }
    return out;
  }

  Target m_target;
  HttpClient& m_http;
  const Deadline& m_deadline;
  std::function<void(const std::string&)> m_tell;
  bool m_told_cut_walk = false;
  std::optional<igd::PinholeWalk> m_walk;  // the pinholes as walked at the first read
  igd::Description m_desc;
  std::string m_desc_url;
};

class UpnpIgdPlugin : public VendorPlugin {
 public:
  std::string_view id() const override { return "upnp-igd"; }
  std::string_view display_name() const override { return "UPnP IGD (any box)"; }
  std::string_view summary() const override {
    return tr("any box that speaks UPnP IGD: lists and deletes UPnP mappings, reads the IPv6 firewall's status "
              "and finds UPnP's IPv6 pinholes (without their details); cannot see static forwards, the DMZ or "
              "remote admin, cannot close pinholes and cannot switch UPnP off");
  }
  Capabilities capabilities() const override {
    // IPv6: read only. No action returns a pinhole's details, so a deleted one could not be
    // put back; and miniupnpd lets only the machine that opened a pinhole delete it (over IPv4
    // it answers 606 to everyone). The planner makes those pinholes manual steps.
    return Capability::read_mappings | Capability::delete_forward | Capability::add_forward |
           Capability::read_upnp_switch | Capability::generic_igd | Capability::read_ipv6_firewall |
           Capability::read_pinholes;
  }

  bool matches(const Target& target, SessionContext& ctx) const override {
    if (!target.igd_desc_url.empty()) {
      return true;  // the gateway itself answered SSDP with a description on itself; open() reads it
    }
    try {
      find_description(target, ctx);
      return true;
    } catch (const Error&) {
      return false;
    }
  }

  std::unique_ptr<Session> open(const Target& target, SessionContext& ctx) const override {
    auto [desc, url] = find_description(target, ctx);
    return std::make_unique<IgdSession>(target, ctx, std::move(desc), url);
  }

 private:
  std::pair<igd::Description, std::string> find_description(const Target& target, SessionContext& ctx) const {
    std::vector<std::string> urls;
    if (!target.igd_desc_url.empty()) {
      urls.push_back(target.igd_desc_url);
    } else {
      if (target.port != 0) {
        urls.push_back("http://" + target.address + ":" + std::to_string(target.port) + "/rootDesc.xml");
      }
      for (const char* k : k_known_descriptions) {
        urls.push_back("http://" + target.address + k);
      }
    }
    std::string last_error = "no UPnP IGD answered on " + target.address;
    for (const auto& url : urls) {
      try {
        return {fetch_description(ctx.http, ctx.deadline, url, target.address), url};
      } catch (const Error& e) {
        last_error = e.what();
      }
    }
    throw Error(ErrorKind::unreachable, last_error);
  }
};

}  // namespace

const VendorPlugin& upnp_igd_plugin() {
  static const UpnpIgdPlugin plugin;
  return plugin;
}

}  // namespace bw
