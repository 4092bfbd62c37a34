#include "vendors/upnp_igd/upnp_igd.hpp"

#include <algorithm>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "net/http_client.hpp"
#include "net/ssdp.hpp"
#include "net/soap.hpp"
#include "vendors/upnp_igd/igd_xml.hpp"

namespace bw {

namespace {

constexpr size_t k_max_description = 256 * 1024;
constexpr size_t k_max_reply = 8 * 1024 * 1024;
constexpr int k_page = 1000;            // entries asked per GetListOfPortMappings
constexpr uint32_t k_max_entries = 65536;  // index walk cap

// Description URLs tried on the gateway when SSDP did not give one (miniupnpd, FRITZ!Box).
constexpr const char* k_known_descriptions[] = {":5000/rootDesc.xml", ":49000/igddesc.xml"};

std::string upnp_error_text(int code) {
  switch (code) {
    case 401: return "the box does not offer that UPnP action";
    case 402: return "the box rejected the arguments";
    case 501: return "the box could not do it (UPnP error 501)";
    case 606: return "the box allows each machine to change only its own mappings (UPnP error 606)";
    case 714: return "no such mapping, or not this machine's (UPnP error 714)";
    case 718: return "the port is already mapped to another machine (UPnP error 718)";
    case 725: return "the box accepts only permanent mappings (UPnP error 725)";
    default: return "UPnP error " + std::to_string(code);
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
  req.timeout = std::chrono::milliseconds(3000);
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
  return d;
}

class IgdSession : public Session {
 public:
  IgdSession(const Target& target, SessionContext& ctx, igd::Description desc, std::string desc_url)
      : m_target(target), m_http(ctx.http), m_deadline(ctx.deadline), m_desc(std::move(desc)),
        m_desc_url(std::move(desc_url)) {}

  RouterState read_state() override {
    RouterState s;
    s.address = m_target.address;
    s.vendor = "upnp-igd";
    s.model = m_desc.manufacturer.empty() ? m_desc.model_name : m_desc.manufacturer + " " + m_desc.model_name;
    s.firmware = m_desc.model_number;
    s.apis = {"upnp-igd"};
    s.upnp_igd_enabled = true;  // it answers, so it is on
    s.static_forwards_known = false;
    auto ip = call("GetExternalIPAddress", {});
    if (ip.fault_code == 0) {
      s.external_ip = ip.values["NewExternalIPAddress"];
    }
    s.port_forwards = list_mappings();
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
    throw Error(ErrorKind::conflict,
                std::string(to_string(f.protocol)) + " port " + std::to_string(f.external_port) +
                    " now goes to " + printable(host, 45) + " port " + printable(port, 8) +
                    (desc.empty() ? "" : " (\"" + printable(desc, 60) + "\")") + ", not to " + f.internal_host +
                    " as read; " +
                    (for_delete ? "that mapping was left alone: run the command again to see the box as it is now"
                                : "it was left alone: the saved mapping cannot be put back without removing it"));
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

  // `changes`: the action changes the box (--dry-run writes it down instead of sending it).
  soap::Reply call(const std::string& action, const std::vector<std::pair<std::string, std::string>>& args,
                      bool changes = false) const {
    HttpRequest req;
    req.method = "POST";
    req.url = service().control_url;
    req.headers = {"Content-Type: text/xml; charset=\"utf-8\"",
                   "SOAPAction: \"" + service().service_type + "#" + action + "\""};
    req.body = soap::envelope(service().service_type, action, args);
    req.max_response_bytes = k_max_reply;
    req.timeout = m_deadline.call_budget(std::chrono::milliseconds(10000));
    if (changes) {
      req.changes_box = true;
      std::string what = "SOAPAction " + service().service_type + "#" + action + " (";
      for (size_t i = 0; i < args.size(); ++i) {
        what += (i ? ", " : "") + args[i].first + "=" + args[i].second;
      }
      req.what = what + ")";
      req.reply_when_not_sent = soap::envelope(service().service_type, action + "Response", {});
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
  igd::Description m_desc;
  std::string m_desc_url;
};

class UpnpIgdPlugin : public VendorPlugin {
 public:
  std::string_view id() const override { return "upnp-igd"; }
  std::string_view display_name() const override { return "UPnP IGD (any box)"; }
  std::string_view summary() const override {
    return "any box that speaks UPnP IGD: lists and deletes UPnP mappings; cannot see static forwards, "
           "the DMZ or remote admin, and cannot switch UPnP off";
  }
  Capabilities capabilities() const override {
    return Capability::read_mappings | Capability::delete_forward | Capability::add_forward |
           Capability::read_upnp_switch | Capability::generic_igd;
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
