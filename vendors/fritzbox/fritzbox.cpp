// The FRITZ!Box plugin's glue: VendorPlugin and Session on top of fritzbox_tr064 (transport,
// digest) and fritzbox_parse (pure parsing); reading a RouterState and one change each.
//
// Contract (fritzbox-tr064.md section 5):
// - Read: the port shares through the active WAN connection service (Layer3Forwarding), named
//   with the host list; the UPnP switch (X_AVM-DE_UPnP); remote access (X_AVM-DE_RemoteAccess)
//   and MyFRITZ!; the UPnP mappings come from the generic IGD plugin. The exposed host (DMZ),
//   IPv6 port shares and WireGuard are not in TR-064: unknown, with the FRITZ!OS menu in
//   vendor_data.menus (English and German names) for the manual steps.
// - A read the box refuses leaves its field unknown (vendor_data.fritzbox.read_errors), except
//   a rights error (HTTP 401 after the digest, fault 606): Error(auth), exit 4, naming
//   System > FRITZ!Box Users > the user > "FRITZ!Box settings".
// - Changes: DeletePortMapping of the share as listed (remote host sent back as read); a 606
//   or 714 there is FRITZ!OS refusing another device's share: Error(refused) whose text is the
//   manual step. AddPortMapping with every saved field puts one back. X_AVM-DE_UPnP:SetConfig
//   (the media server sent back as read) and X_AVM-DE_RemoteAccess:SetEnable switch those.
//   Each is idempotent and checked by reading the box again (skipped under --dry-run).
#include "vendors/fritzbox/fritzbox.hpp"

#include <map>

#include "core/credentials.hpp"
#include "core/deadline.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"
#include "net/http_client.hpp"
#include "vendors/fritzbox/fritzbox_parse.hpp"
#include "vendors/fritzbox/fritzbox_tr064.hpp"
#include "vendors/upnp_igd/igd_xml.hpp"

namespace bw {

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using fritz::Args;
using fritz::Tr64Client;

constexpr std::string_view k_fritz_id = "fritzbox";

void fritz_add_menus(RouterState& s) {
  json& m = s.vendor_data["menus"];
  m["web_ui"] = fill(tr("Open the FRITZ!Box's pages (http://fritz.box, or http://{address}) and sign in."),
                     {{"address", s.address}});
  m["port_forwards"] = tr("Go to Internet > Permit Access > Port Sharing (German: Internet > Freigaben > "
                          "Portfreigaben), open the device and delete the sharing, or untick it.");
  m["static_port_forwards"] = m["port_forwards"];
  m["dmz"] = tr("TR-064 cannot read the exposed host: go to Internet > Permit Access > Port Sharing (German: Internet > "
                "Freigaben > Portfreigaben), open each device and check that \"Open this device completely for "
                "Internet sharing via IPv4 (exposed host)\" (German: \"Exposed Host\") is off.");
  m["upnp_igd"] = tr("Go to Home Network > Network > Network Settings (German: Heimnetz > Netzwerk > "
                     "Netzwerkeinstellungen) and untick \"Transmit status information over UPnP\"; and in Internet > "
                     "Permit Access > Port Sharing, untick \"Permit independent port sharing for this device\" "
                     "(German: \"Selbstständige Portfreigaben für dieses Gerät erlauben\") on each device.");
  m["remote_admin"] = tr("Go to Internet > Permit Access > FRITZ!Box Services (German: Internet > Freigaben > "
                         "FRITZ!Box-Dienste) and untick \"Internet access to the FRITZ!Box via HTTPS enabled\"; "
                         "check Internet > MyFRITZ! Account too.");
  m["ipv6_pinholes"] = tr("TR-064 cannot read IPv6 port shares: go to Internet > Permit Access > Port Sharing "
                          "(German: Internet > Freigaben > Portfreigaben), open each device and delete its IPv6 "
                          "sharings; untick \"Open firewall for delegated IPv6 prefixes of this device\".");
  m["ipv6_firewall"] = m["ipv6_pinholes"];
}

bool fritz_same_share(const PortForward& a, const PortForward& b) {
  return a.protocol == b.protocol && a.external_port == b.external_port && a.remote_host == b.remote_host;
}

std::string fritz_saved_remote(const PortForward& f) {
  auto it = f.vendor_data.find("fritzbox");
  if (it != f.vendor_data.end() && it->is_object()) {
    auto r = it->find("remote_host");
    if (r != it->end() && r->is_string()) {
      return r->get<std::string>();
    }
  }
  return f.remote_host;
}

class FritzSession final : public Session {
 public:
  FritzSession(SessionContext& ctx, const Target& t, fritz::Tr64Desc desc)
      : m_api(ctx.http, ctx.deadline, t.address, t.port, std::move(desc)), m_igd_url(t.igd_desc_url), m_tell(ctx.tell) {}

  void open(SessionContext& ctx) {
    if (!m_api.try_https() && m_tell) {
      m_tell(tr("warning: the FRITZ!Box offers TR-064 over plain HTTP only (port 49000): the digest exchange "
                "crosses the LAN in clear (the password itself does not)"));
    }
    std::string user = ctx.credentials.user;
    if (user.empty() && m_api.offers("LANConfigSecurity:1")) {
      try {
        soap::Reply r = m_api.request("LANConfigSecurity:1", "X_AVM-DE_GetUserList", {}, tr("list its users"), false, true);
        if (r.fault_code == 0) {
          user = fritz::last_user(r.values["NewX_AVM-DE_UserList"]);
        }
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::unreachable) {
          throw;
        }
      }
    }
    if (user.empty()) {
      throw Error(ErrorKind::auth, tr("the FRITZ!Box did not say which user to log in as: give it with --user NAME "
                                      "(a FRITZ!Box user with the right \"FRITZ!Box settings\")"));
    }
    Secret password = find_password(ctx.credentials, m_api.address(), user, m_tell);
    if (password.empty()) {
      throw Error(ErrorKind::auth, fill(tr("the FRITZ!Box needs the password of its user {user}: give it with "
                                           "--password-file FILE, BOXWARDEN_PASSWORD or ~/.netrc"),
                                        {{"user", printable(user, 64)}}));
    }
    m_api.set_login(user, password);
  }

  RouterState read_state() override {
    RouterState s;
    s.address = m_api.address();
    s.vendor = std::string(k_fritz_id);
    s.apis = {std::string(k_fritz_id)};
    s.model = m_api.desc().model;
    s.firmware = m_api.desc().firmware;
    json extra = json::object();
    json errors = json::object();
    extra["transport"] = m_api.https() ? "https" : "http";
    if (!m_api.https()) {
      extra["transport_warning"] = tr("the FRITZ!Box offers TR-064 over plain HTTP only: the digest exchange "
                                      "crossed the LAN in clear (the password itself did not)");
    }
    auto opt = [&](std::string_view service, const std::string& action, const Args& args,
                   std::string_view what) -> std::optional<fritz::Values> {
      try {
        return m_api.call(service, action, args, what);
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::auth || e.kind() == ErrorKind::unreachable) {
          throw;
        }
        errors[std::string(service) + "#" + action] = e.what();
        return std::nullopt;
      }
    };

    if (auto v = opt("DeviceInfo:1", "GetInfo", {}, tr("read its model"))) {
      fritz::DeviceInfo d = fritz::parse_device_info(*v);
      if (!d.model.empty()) {
        s.model = d.model;
      }
      if (!d.firmware.empty()) {
        s.firmware = d.firmware;
      }
      if (!d.serial.empty()) {
        s.box_identity = "fritzbox-serial:" + d.serial;
      }
    }
    std::string svc = connection_service(errors);
    if (!svc.empty()) {
      extra["connection_service"] = svc;
      if (auto v = opt(svc, "GetExternalIPAddress", {}, tr("read its Internet address"))) {
        s.external_ip = fritz::value(*v, "NewExternalIPAddress");
      }
      std::vector<std::string> skipped;
      if (auto list = shares(svc, errors, &skipped)) {
        s.port_forwards = std::move(*list);
        s.static_forwards_known = true;
      }
      if (!skipped.empty()) {
        extra["unrepresented_forwards"] = skipped;
      }
    }
    m_hosts = json::object();
    name_hosts(s, errors);
    if (auto v = opt("X_AVM-DE_UPnP:1", "GetInfo", {}, tr("read its UPnP switch"))) {
      fritz::Upnp u = fritz::parse_upnp(*v);
      s.upnp_igd_enabled = u.enabled;
      if (u.media_server) {
        extra["upnp_media_server"] = *u.media_server;
      }
    }
    if (s.upnp_igd_enabled != false) {
      if (auto m = igd_mappings()) {
        for (PortForward& f : *m) {
          s.port_forwards.push_back(std::move(f));
        }
      } else {
        errors["IGD#GetGenericPortMappingEntry"] = tr("no UPnP IGD answered");
      }
    }
    if (auto v = opt("X_AVM-DE_RemoteAccess:1", "GetInfo", {}, tr("read its remote access"))) {
      fritz::RemoteAccess r = fritz::parse_remote_access(*v);
      s.remote_admin_enabled = r.enabled;
      extra["remote_access"] = {{"enabled", r.enabled.value_or(false)}, {"port", r.port}};
    }
    if (m_api.offers("X_AVM-DE_MyFritz:1")) {
      if (auto v = opt("X_AVM-DE_MyFritz:1", "GetInfo", {}, tr("read its MyFRITZ! state"))) {
        extra["myfritz"] = {{"enabled", fritz::bool_value(*v, "NewEnabled").value_or(false)},
                            {"registered", fritz::bool_value(*v, "NewDeviceRegistered").value_or(false)}};
      }
    }
    // Not in TR-064 (fritzbox-tr064.md 5.6, 5.10): unknown, and the menus say where to look.
    extra["not_readable"] = {"dmz", "ipv6_port_shares", "wireguard"};
    if (!errors.empty()) {
      extra["read_errors"] = errors;
    }
    if (!m_hosts.empty()) {
      extra["hosts"] = m_hosts;  // the names of the machines behind the shares (host list)
    }
    s.vendor_data = json{{"fritzbox", extra}};
    fritz_add_menus(s);
    return s;
  }

  void apply(const Change& a) override {
    switch (a.kind) {
      case ChangeKind::delete_port_forward:
        delete_share(forward_of(a));
        return;
      case ChangeKind::add_port_forward:
        restore_share(forward_of(a));
        return;
      case ChangeKind::disable_upnp:
      case ChangeKind::enable_upnp:
        set_upnp(a.kind == ChangeKind::enable_upnp);
        return;
      case ChangeKind::disable_remote_admin:
      case ChangeKind::enable_remote_admin:
        set_remote(a.kind == ChangeKind::enable_remote_admin);
        return;
      default:
        break;
    }
    throw Error(ErrorKind::unsupported, fill(tr("the FRITZ!Box plugin cannot do this by itself: {change}"),
                                             {{"change", to_string(a.kind)}}));
  }

 private:
  static const PortForward& forward_of(const Change& a) {
    if (!a.forward) {
      throw Error(ErrorKind::unsupported, tr("the change names no port forward"));
    }
    return *a.forward;
  }

  // The active connection service ("WANPPPConnection:1"), "" when unknown (reason in errors).
  std::string connection_service(json& errors) {
    try {
      fritz::Values v = m_api.call("Layer3Forwarding:1", "GetDefaultConnectionService", {},
                                   tr("read its active Internet connection"));
      std::string svc = fritz::connection_service(fritz::value(v, "NewDefaultConnectionService"));
      if (svc.empty() || !m_api.offers(svc)) {
        errors["Layer3Forwarding:1#GetDefaultConnectionService"] = tr("no usable connection service");
        return "";
      }
      return svc;
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::auth || e.kind() == ErrorKind::unreachable) {
        throw;
      }
      errors["Layer3Forwarding:1#GetDefaultConnectionService"] = e.what();
      return "";
    }
  }

  // Every port share of `svc`; nullopt when the list could not be walked (reason in errors).
  std::optional<std::vector<PortForward>> shares(const std::string& svc, json& errors,
                                                 std::vector<std::string>* skipped) {
    std::vector<PortForward> out;
    try {
      fritz::Values n = m_api.call(svc, "GetPortMappingNumberOfEntries", {}, tr("count its port shares"));
      uint32_t count = fritz::uint_value(n, "NewPortMappingNumberOfEntries").value_or(0);
      if (count > fritz::k_max_mappings) {
        if (skipped) {
          skipped->push_back(fill(tr("{n} port shares: only the first {max} were read"),
                                  {{"n", std::to_string(count)}, {"max", std::to_string(fritz::k_max_mappings)}}));
        }
        count = fritz::k_max_mappings;
      }
      for (uint32_t i = 0; i < count; ++i) {
        soap::Reply r = m_api.request(svc, "GetGenericPortMappingEntry", {{"NewPortMappingIndex", std::to_string(i)}},
                                      tr("list its port shares"));
        if (r.fault_code == 713 || r.fault_code == 714) {
          break;  // the list shrank meanwhile
        }
        if (r.fault_code != 0) {
          m_api.throw_fault(r, tr("list its port shares"));
        }
        if (auto f = fritz::parse_port_mapping(r.values)) {
          f->vendor_data["fritzbox"]["service"] = svc;
          out.push_back(std::move(*f));
        } else if (skipped) {
          skipped->push_back(fill(tr("port share #{i} (unreadable fields)"), {{"i", std::to_string(i)}}));
        }
      }
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::auth || e.kind() == ErrorKind::unreachable) {
        throw;
      }
      errors[svc + "#GetGenericPortMappingEntry"] = e.what();
      return std::nullopt;
    }
    return out;
  }

  // The host list's names on the forwards (vendor_data.fritzbox.host_name, hosts).
  void name_hosts(RouterState& s, json& errors) {
    if (s.port_forwards.empty() || !m_api.offers("Hosts:1")) {
      return;
    }
    try {
      fritz::Values v = m_api.call("Hosts:1", "X_AVM-DE_GetHostListPath", {}, tr("read its host list"));
      auto body = m_api.get_file(fritz::value(v, "NewX_AVM-DE_HostListPath"));
      if (!body) {
        errors["Hosts:1#X_AVM-DE_GetHostListPath"] = tr("the host list file could not be read");
        return;
      }
      std::map<std::string, std::string> names;
      for (const fritz::Host& h : fritz::parse_host_list(*body)) {
        if (!h.name.empty()) {
          names.emplace(h.ip, h.name);
        }
      }
      json hosts = json::object();
      for (PortForward& f : s.port_forwards) {
        auto it = names.find(f.internal_host);
        if (it != names.end()) {
          f.vendor_data["fritzbox"]["host_name"] = it->second;
          hosts[f.internal_host] = it->second;
        }
      }
      if (!hosts.empty()) {
        m_hosts = hosts;
      }
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::auth || e.kind() == ErrorKind::unreachable) {
        throw;
      }
      errors["Hosts:1#X_AVM-DE_GetHostListPath"] = e.what();
    }
  }

  std::vector<PortForward> list_now(std::string& svc) {
    json errors = json::object();
    svc = connection_service(errors);
    if (svc.empty()) {
      throw Error(ErrorKind::refused, tr("the FRITZ!Box does not say its active Internet connection: its port shares "
                                         "cannot be changed"));
    }
    auto list = shares(svc, errors, nullptr);
    if (!list) {
      throw Error(ErrorKind::refused, tr("the FRITZ!Box does not list its port shares now"));
    }
    return *list;
  }

  void delete_share(const PortForward& f) {
    if (fritz_is_upnp(f)) {
      igd_mapping(f, false);
      return;
    }
    std::string svc;
    std::vector<PortForward> now = list_now(svc);
    const PortForward* x = nullptr;
    for (const PortForward& p : now) {
      if (fritz_same_share(p, f)) {
        x = &p;
      }
    }
    if (x == nullptr) {
      return;  // gone already
    }
    if (x->internal_host != f.internal_host || x->internal_port != f.internal_port) {
      throw Error(ErrorKind::conflict,
                  fill(tr("port share {key} now goes to {host}, not to {was} as read; it was left alone: run the "
                          "command again to see the box as it is now"),
                       {{"key", f.key()}, {"host", printable(x->internal_host, 45)}, {"was", f.internal_host}}));
    }
    std::string what = fill(tr("delete port share {key}"), {{"key", f.key()}});
    soap::Reply r = m_api.request(svc, "DeletePortMapping",
                                  {{"NewRemoteHost", fritz_saved_remote(*x)},
                                   {"NewExternalPort", std::to_string(f.external_port)},
                                   {"NewProtocol", std::string(to_string(f.protocol))}},
                                  what, true, false, true);
    if (r.fault_code == 714) {
      // No such entry: gone meanwhile (or a resent delete whose first try went through).
      std::vector<PortForward> again = list_now(svc);
      if (std::none_of(again.begin(), again.end(), [&](const PortForward& p) { return fritz_same_share(p, f); })) {
        return;
      }
    }
    if (r.fault_code == 606 || r.fault_code == 714) {
      throw Error(ErrorKind::refused,
                  fill(tr("the FRITZ!Box refused to delete port share {key} to {host} (TR-064 error {code}): it belongs to "
                          "another device; delete it by hand in Internet > Permit Access > Port Sharing (German: "
                          "Internet > Freigaben > Portfreigaben)"),
                       {{"key", f.key()}, {"host", printable(f.internal_host, 45)}, {"code", std::to_string(r.fault_code)}}));
    }
    if (r.fault_code != 0) {
      m_api.throw_fault(r, what);
    }
    if (m_api.rehearsing()) {
      return;
    }
    for (const PortForward& p : list_now(svc)) {
      if (fritz_same_share(p, f)) {
        throw Error(ErrorKind::refused, fill(tr("the FRITZ!Box still lists port share {key} after deleting it"),
                                             {{"key", f.key()}}));
      }
    }
  }

  void restore_share(const PortForward& f) {
    if (fritz_is_upnp(f)) {
      igd_mapping(f, true);
      return;
    }
    std::string svc;
    auto matches = [&](const PortForward& p) {
      return fritz_same_share(p, f) && p.internal_host == f.internal_host && p.internal_port == f.internal_port &&
             p.enabled == f.enabled;
    };
    std::vector<PortForward> now = list_now(svc);
    if (std::any_of(now.begin(), now.end(), matches)) {
      return;
    }
    const json& saved = f.vendor_data.contains("fritzbox") ? f.vendor_data["fritzbox"] : json::object();
    auto get_s = [&](const char* k, const std::string& def) {
      auto it = saved.find(k);
      return it != saved.end() && it->is_string() ? it->get<std::string>() : def;
    };
    std::string lease = std::to_string(f.lease_seconds);
    Args args = {{"NewRemoteHost", get_s("remote_host", f.remote_host)},
                 {"NewExternalPort", std::to_string(f.external_port)},
                 {"NewProtocol", std::string(to_string(f.protocol))},
                 {"NewInternalPort", std::to_string(f.internal_port)},
                 {"NewInternalClient", f.internal_host},
                 {"NewEnabled", f.enabled ? "1" : "0"},
                 {"NewPortMappingDescription", f.description},
                 {"NewLeaseDuration", lease}};
    m_api.call(svc, "AddPortMapping", args, fill(tr("put port share {key} back"), {{"key", f.key()}}), true);
    if (m_api.rehearsing()) {
      return;
    }
    now = list_now(svc);
    if (!std::any_of(now.begin(), now.end(), matches)) {
      throw Error(ErrorKind::refused, fill(tr("the FRITZ!Box does not list port share {key} after putting it back"),
                                           {{"key", f.key()}}));
    }
  }

  fritz::Upnp read_upnp() {
    return fritz::parse_upnp(m_api.call("X_AVM-DE_UPnP:1", "GetInfo", {}, tr("read its UPnP switch")));
  }

  void set_upnp(bool on) {
    fritz::Upnp u = read_upnp();
    if (u.enabled == on) {
      return;
    }
    m_api.call("X_AVM-DE_UPnP:1", "SetConfig",
               {{"NewEnable", on ? "1" : "0"}, {"NewUPnPMediaServer", u.media_server.value_or(false) ? "1" : "0"}},
               on ? tr("switch UPnP on") : tr("switch UPnP off"), true);
    if (!m_api.rehearsing() && read_upnp().enabled != on) {
      throw Error(ErrorKind::refused, on ? tr("the FRITZ!Box kept UPnP off") : tr("the FRITZ!Box kept UPnP on"));
    }
  }

  std::optional<bool> read_remote() {
    return fritz::parse_remote_access(
               m_api.call("X_AVM-DE_RemoteAccess:1", "GetInfo", {}, tr("read its remote access")))
        .enabled;
  }

  void set_remote(bool on) {
    if (read_remote() == on) {
      return;
    }
    m_api.call("X_AVM-DE_RemoteAccess:1", "SetEnable", {{"NewEnabled", on ? "1" : "0"}},
               on ? tr("switch remote access on") : tr("switch remote access off"), true);
    if (!m_api.rehearsing() && read_remote() != on) {
      throw Error(ErrorKind::refused, on ? tr("the FRITZ!Box kept its remote access off")
                                         : tr("the FRITZ!Box kept its remote access on"));
    }
  }

  // The box's IGD (unauthenticated UPnP): where its UPnP mappings live, not in TR-064's share
  // list (fritzbox-tr064.md 5.5). Found again at each use: it comes and goes with the UPnP switch.
  struct FritzIgd {
    std::string control_url;
    std::string service_type;
  };
  std::optional<FritzIgd> find_igd() {
    std::vector<std::string> urls;
    if (!m_igd_url.empty()) {
      urls.push_back(m_igd_url);
    }
    urls.push_back("http://" + m_api.address() + ":49000/igddesc.xml");  // the FRITZ!Box's own IGD
    urls.push_back("http://" + m_api.address() + ":5000/rootDesc.xml");
    std::string prefix = "http://" + m_api.address() + ":";
    for (const std::string& url : urls) {
      HttpRequest get;
      get.url = url;
      get.max_response_bytes = 256 * 1024;
      get.timeout = m_api.deadline().call_budget(3s);
      try {
        HttpResponse r = m_api.http().perform(get, m_api.deadline());
        if (r.status != 200) {
          continue;
        }
        igd::Description desc = igd::parse_description(r.body, url);
        if (!desc.services.empty() && desc.services.front().control_url.rfind(prefix, 0) == 0) {
          return FritzIgd{desc.services.front().control_url, desc.services.front().service_type};
        }
      } catch (const Error&) {
        // not an IGD of this box
      }
    }
    return std::nullopt;
  }

  soap::Reply igd_call(const FritzIgd& igd, const std::string& action, const Args& args, bool write) {
    HttpRequest req;
    req.method = "POST";
    req.url = igd.control_url;
    req.headers = {"Content-Type: text/xml; charset=\"utf-8\"", "SOAPAction: \"" + igd.service_type + "#" + action + "\""};
    req.body = soap::envelope(igd.service_type, action, args);
    req.max_response_bytes = 64 * 1024;
    req.timeout = m_api.deadline().call_budget(10s);
    if (write) {
      req.changes_box = true;
      req.what = "IGD " + action;
      for (const auto& [k, v] : args) {
        req.what += " " + k + "=" + printable(v, 64);
      }
      req.reply_when_not_sent = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><u:" +
                                action + "Response xmlns:u=\"" + igd.service_type + "\"/></s:Body></s:Envelope>";
    }
    HttpResponse r = m_api.http().perform(req, m_api.deadline());
    if (r.status != 200 && r.status != 500) {
      return soap::Reply{501, "HTTP " + std::to_string(r.status), {}};
    }
    soap::Reply reply = soap::parse_reply(r.body);
    if (r.status == 500 && reply.fault_code == 0) {
      reply.fault_code = 501;
    }
    return reply;
  }

  // The UPnP mappings, origin upnp; nullopt when no IGD answers (UPnP off).
  std::optional<std::vector<PortForward>> igd_mappings() {
    auto igd = find_igd();
    if (!igd) {
      return std::nullopt;
    }
    std::vector<PortForward> out;
    for (uint32_t i = 0; i < fritz::k_max_mappings; ++i) {
      soap::Reply r = igd_call(*igd, "GetGenericPortMappingEntry", {{"NewPortMappingIndex", std::to_string(i)}}, false);
      if (r.fault_code != 0) {
        break;  // 713 (or 714/402 on some firmware): the end of the list
      }
      if (auto f = igd::port_forward_from_values(r.values)) {
        f->apis = {std::string(k_fritz_id)};
        f->vendor_data["fritzbox"] = {{"igd", true}};
        out.push_back(std::move(*f));
      }
    }
    return out;
  }

  void igd_mapping(const PortForward& f, bool add) {
    std::string what = fill(add ? tr("put UPnP mapping {key} back") : tr("delete UPnP mapping {key}"), {{"key", f.key()}});
    auto igd = find_igd();
    if (!igd) {
      if (!add) {
        return;  // no IGD: UPnP is off, the mapping is gone with it
      }
      throw Error(ErrorKind::unreachable, fill(tr("no UPnP IGD of the FRITZ!Box answered to {what} (is UPnP on?)"),
                                               {{"what", what}}));
    }
    Args key = {{"NewRemoteHost", f.remote_host},
                {"NewExternalPort", std::to_string(f.external_port)},
                {"NewProtocol", std::string(to_string(f.protocol))}};
    soap::Reply r;
    if (add) {
      Args args = key;
      args.insert(args.end(), {{"NewInternalPort", std::to_string(f.internal_port)},
                               {"NewInternalClient", f.internal_host},
                               {"NewEnabled", f.enabled ? "1" : "0"},
                               {"NewPortMappingDescription", f.description},
                               {"NewLeaseDuration", std::to_string(f.lease_seconds)}});
      r = igd_call(*igd, "AddPortMapping", args, true);
    } else {
      r = igd_call(*igd, "DeletePortMapping", key, true);
      if (r.fault_code == 714) {
        return;  // gone already
      }
    }
    if (r.fault_code != 0) {
      throw Error(ErrorKind::refused, fill(tr("the FRITZ!Box's IGD refused to {what}: UPnP error {code}"),
                                           {{"what", what}, {"code", std::to_string(r.fault_code)}}));
    }
  }

  static bool fritz_is_upnp(const PortForward& f) {
    return std::find(f.origin.begin(), f.origin.end(), "upnp") != f.origin.end();
  }

  Tr64Client m_api;
  std::string m_igd_url;
  json m_hosts = json::object();
  std::function<void(const std::string&)> m_tell;
};

class FritzPlugin final : public VendorPlugin {
 public:
  std::string_view id() const override { return k_fritz_id; }
  std::string_view display_name() const override { return "FRITZ!Box"; }
  std::string_view summary() const override {
    return "AVM FRITZ!Box through TR-064 (SOAP, HTTP digest, a FRITZ!Box user with the \"FRITZ!Box settings\" "
           "right): the port shares, the UPnP switch, remote access and MyFRITZ!; the UPnP mappings through its IGD; "
           "the exposed host, IPv6 sharings and WireGuard are not in TR-064 (manual steps)";
  }
  Capabilities capabilities() const override {
    Capabilities c = 0;
    for (Capability k : {Capability::read_mappings, Capability::read_static_forwards, Capability::delete_forward, Capability::add_forward,
                         Capability::read_upnp_switch, Capability::set_upnp_switch, Capability::read_remote_admin,
                         Capability::set_remote_admin}) {
      c |= static_cast<uint32_t>(k);
    }
    return c;
  }

  bool matches(const Target& target, SessionContext& ctx) const override {
    try {
      return fritz::fingerprint(ctx.http, ctx.deadline, target.address, target.port, 3s).has_value();
    } catch (const Error&) {
      return false;
    }
  }

  std::unique_ptr<Session> open(const Target& target, SessionContext& ctx) const override {
    auto desc = fritz::fingerprint(ctx.http, ctx.deadline, target.address, target.port, 5s);
    if (!desc) {
      throw Error(ErrorKind::unsupported,
                  fill(tr("the box at {address} does not answer as a FRITZ!Box (TR-064, /tr64desc.xml on port 49000)"),
                       {{"address", target.address}}));
    }
    auto s = std::make_unique<FritzSession>(ctx, target, std::move(*desc));
    s->open(ctx);
    return s;
  }
};

}  // namespace

const VendorPlugin& fritzbox_plugin() {
  static const FritzPlugin plugin;
  return plugin;
}

}  // namespace bw
