// The SFR box plugin (bbox-sfr.md part B). It only ever calls the methods it names here:
// system.getInfo, wan.getInfo (public), auth.getToken, auth.checkToken and firewall.getInfo.
// Never system.getWpaKey or ppp.getCredentials: they return secrets
// (tests/lab/sfr_audit_test.sh checks that the box never receives them).
#include "vendors/sfr/sfr.hpp"

#include "core/credentials.hpp"
#include "core/deadline.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "net/http_client.hpp"
#include "vendors/sfr/sfr_parse.hpp"

namespace bw {

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string base_of(const Target& t) {
  return "http://" + t.address + (t.port != 0 ? ":" + std::to_string(t.port) : std::string()) + "/api/1.0/?method=";
}

// One GET of a method (`extra` is "&token=...&hash=..." or ""): the parsed answer.
sfr::Answer call(HttpClient& http, const Deadline& deadline, const std::string& base, const std::string& method,
                 const std::string& extra = {}, std::chrono::milliseconds cap = 15s) {
  HttpRequest req;
  req.url = base + method + extra;
  req.headers = {"Accept: text/xml"};
  req.max_response_bytes = 256 * 1024;
  req.timeout = deadline.call_budget(cap);
  HttpResponse r;
  try {
    r = http.perform(req, deadline);
  } catch (const HttpError& e) {
    std::string m = e.what();  // the URL may carry the token: never shown
    if (auto at = m.find("&token="); at != std::string::npos) {
      m.replace(at, m.find(' ', at) == std::string::npos ? std::string::npos : m.find(' ', at) - at, "");
    }
    throw HttpError(e.failure(), m, e.presented_pin());
  }
  if (r.status != 200) {
    throw Error(ErrorKind::protocol, fill(tr("the SFR box answered HTTP {status} to {method}"),
                                          {{"status", std::to_string(r.status)}, {"method", method}}));
  }
  return sfr::parse_answer(r.body);
}

// The menus of the box's web interface, per model (bbox-sfr.md B.5: only the web interface
// changes these settings).
void add_menus(RouterState& s, sfr::Family family, const std::string& address) {
  s.vendor_data["menus"]["web_ui"] = fill(tr("Open the SFR box's web interface (http://{address}) and sign in with its admin login "
                              "(admin, and the password printed under the box unless you changed it)."),
                           {{"address", address}});
  if (family == sfr::Family::box8 || family == sfr::Family::box10) {
    s.vendor_data["menus"]["port_forwards"] = tr("Go to Réseau > NAT/PAT (Redirections de ports) and delete every rule that is not "
                                  "needed.");
    s.vendor_data["menus"]["dmz"] = tr("Go to Réseau > DMZ and check that the DMZ is off.");
    s.vendor_data["menus"]["upnp_igd"] = tr("Go to Réseau > UPnP and switch UPnP off.");
    s.vendor_data["menus"]["remote_admin"] = tr("Go to Maintenance > Accès à distance and check that remote access is off.");
    s.vendor_data["menus"]["ipv6_firewall"] = tr("Go to Réseau > Pare-feu IPv6 and check that the IPv6 firewall is on.");
    s.vendor_data["menus"]["ipv6_pinholes"] = tr("Go to Réseau > Pare-feu IPv6 and delete every rule that is not needed.");
  } else {
    s.vendor_data["menus"]["port_forwards"] = tr("Go to Réseau v4 > NAT and delete every rule of the table that is not needed.");
    s.vendor_data["menus"]["dmz"] = tr("Go to Réseau v4 > DMZ and check that the DMZ is off (Désactivé).");
    s.vendor_data["menus"]["upnp_igd"] = tr("Go to Réseau v4 > UPnP and switch UPnP off (Désactivé).");
    s.vendor_data["menus"]["remote_admin"] = tr("Go to Maintenance > Administration and check that remote access to the web "
                                 "interface (Accès à distance) is off.");
    s.vendor_data["menus"]["ipv6_firewall"] = tr("Go to Réseau v6 > Pare-feu and check that the IPv6 firewall is on.");
    s.vendor_data["menus"]["ipv6_pinholes"] = tr("Go to Réseau v6 > Pare-feu and delete every rule that is not needed.");
  }
}

class SfrSession final : public Session {
 public:
  SfrSession(SessionContext& ctx, const Target& t, sfr::SystemInfo sys)
      : m_http(ctx.http), m_deadline(ctx.deadline), m_base(base_of(t)), m_address(t.address), m_sys(std::move(sys)) {}

  // Logs in when a password is known (firewall.getInfo is private); without one, the
  // firewall's filters stay unknown. A refused password is exit 4.
  void open(SessionContext& ctx) {
    Secret password = find_password(ctx.credentials, m_address, "admin", ctx.tell);
    if (password.empty()) {
      m_no_login = tr("no admin password was given: the firewall filters were not read");
      return;
    }
    sfr::Answer t = call(m_http, m_deadline, m_base, "auth.getToken");
    auto token = sfr::parse_token(t);
    if (!token) {
      throw Error(ErrorKind::protocol, t.ok ? tr("the SFR box gave no login token")
                                            : sfr::failure_message(t, tr("give a login token")));
    }
    if (token->method == "button") {
      throw Error(ErrorKind::auth, tr("the SFR box accepts only a press on its service button as login, which "
                                      "boxwarden does not do: allow the password login in its web interface "
                                      "(Maintenance > Administration), or audit without a password"));
    }
    std::string user = ctx.credentials.user.empty() ? "admin" : ctx.credentials.user;
    Secret hash(sfr::login_hash(token->token, user, password.reveal()));
    sfr::Answer c = call(m_http, m_deadline, m_base, "auth.checkToken", "&token=" + token->token + "&hash=" + hash.reveal());
    if (!c.ok) {
      throw Error(sfr::is_auth_failure(c.err_code) ? ErrorKind::auth : ErrorKind::protocol,
                  sfr::failure_message(c, tr("check the login")));
    }
    m_token = Secret(token->token);
  }

  RouterState read_state() override {
    RouterState s;
    s.address = m_address;
    s.vendor = "sfr";
    s.apis = {"sfr"};
    s.model = sfr::model_name(m_sys.product_id);
    s.firmware = m_sys.firmware;
    if (!m_sys.identity.empty()) {
      s.box_identity = "sfr-serial:" + m_sys.identity;
    }
    json extra = {{"product_id", m_sys.product_id}, {"net_mode", m_sys.net_mode}, {"net_infra", m_sys.net_infra}};
    json errors = json::object();
    sfr::Answer w = call(m_http, m_deadline, m_base, "wan.getInfo");
    if (w.ok) {
      sfr::WanInfo wan = sfr::parse_wan(w);
      s.external_ip = wan.ip;
      extra["wan"] = {{"status", wan.status}, {"mode", wan.mode}, {"infra", wan.infra}, {"infra6", wan.infra6},
                      {"status6", wan.status6}};
      if (wan.status6 == "up") {
        s.ipv6_enabled = true;
      } else if (wan.status6 == "down" && (wan.infra6.empty() || wan.infra6 == "unknown")) {
        s.ipv6_enabled = false;
      }
    } else {
      errors["wan.getInfo"] = sfr::failure_message(w, tr("read its Internet connection"));
    }
    if (!m_token.empty()) {
      sfr::Answer f = call(m_http, m_deadline, m_base, "firewall.getInfo", "&token=" + m_token.reveal());
      if (auto fw = sfr::parse_firewall(f)) {
        json j = {{"mode", fw->mode}};
        auto put = [&](const char* k, const std::optional<bool>& v) {
          j[k] = v ? json(*v) : json(nullptr);
        };
        put("smb_drop", fw->smb_drop);
        put("icmp_drop", fw->icmp_drop);
        put("smtp_drop", fw->smtp_drop);
        extra["firewall"] = j;
      } else {
        errors["firewall.getInfo"] = sfr::failure_message(f, tr("read its firewall"));
      }
    } else {
      errors["firewall.getInfo"] = m_no_login;
    }
    extra["not_in_api"] = tr("the SFR box's API has no method for port forwards, the DMZ, UPnP or remote "
                             "administration: check them in its web interface (the steps say where)");
    if (!errors.empty()) {
      extra["read_errors"] = errors;
    }
    s.vendor_data = json{{"sfr", extra}};
    add_menus(s, sfr::family_of(m_sys.product_id), m_address);
    return s;
  }

  void apply(const Change& a) override {
    throw Error(ErrorKind::unsupported, fill(tr("the SFR box's API cannot do this: {change}; do it in its web "
                                                "interface"),
                                             {{"change", to_string(a.kind)}}));
  }

 private:
  HttpClient& m_http;
  const Deadline& m_deadline;
  std::string m_base;
  std::string m_address;
  sfr::SystemInfo m_sys;
  Secret m_token;
  std::string m_no_login;
};

std::optional<sfr::SystemInfo> identify(const Target& t, SessionContext& ctx) {
  sfr::Answer a = call(ctx.http, ctx.deadline, base_of(t), "system.getInfo", {}, 5s);
  return sfr::parse_system(a);
}

class SfrPlugin final : public VendorPlugin {
 public:
  std::string_view id() const override { return "sfr"; }
  std::string_view display_name() const override { return "SFR box"; }
  std::string_view summary() const override {
    return "SFR box (neufbox 4/5/6, SFR Box 8 and 10) through its public API: model, firmware, WAN mode and "
           "address, IPv6 state, and with the admin password the firewall's SMB/ICMP/SMTP filters. Its API has no "
           "port forwards, DMZ, UPnP or remote access: those stay unknown, with its web interface's menus to check";
  }
  Capabilities capabilities() const override { return 0; }

  bool matches(const Target& target, SessionContext& ctx) const override {
    try {
      return identify(target, ctx).has_value();
    } catch (const Error&) {
      return false;
    }
  }

  std::unique_ptr<Session> open(const Target& target, SessionContext& ctx) const override {
    auto sys = identify(target, ctx);
    if (!sys) {
      throw Error(ErrorKind::unsupported, fill(tr("the box at {address} does not answer as an SFR box "
                                                  "(system.getInfo)"),
                                               {{"address", target.address}}));
    }
    auto s = std::make_unique<SfrSession>(ctx, target, *sys);
    s->open(ctx);
    return s;
  }
};

}  // namespace

const VendorPlugin& sfr_plugin() {
  static const SfrPlugin plugin;
  return plugin;
}

}  // namespace bw
