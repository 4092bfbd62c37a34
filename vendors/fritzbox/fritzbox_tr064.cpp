#include "vendors/fritzbox/fritzbox_tr064.hpp"

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"
#include "net/http_client.hpp"

namespace bw::fritz {

namespace {

using namespace std::chrono_literals;

constexpr size_t k_fritz_max_body = 1 << 20;

std::string fritz_host_port(const std::string& host, uint16_t port) {
  return host + ":" + std::to_string(port);
}

// The reply a box gives to a write that works: an empty *Response element.
std::string fritz_empty_reply(const std::string& type, const std::string& action) {
  return "<?xml version=\"1.0\"?>\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:" +
         action + "Response xmlns:u=\"" + type + "\"></u:" + action + "Response></s:Body></s:Envelope>\n";
}

}  // namespace

std::string rights_place(const std::string& user) {
  return fill(tr("in FRITZ!OS, give the user {user} the right \"FRITZ!Box settings\": System > FRITZ!Box Users > "
                 "{user} > \"FRITZ!Box settings\" (German: System > FRITZ!Box-Benutzer > {user} > "
                 "\"FRITZ!Box Einstellungen\"), or run boxwarden with --user NAME of a user who has it"),
              {{"user", printable(user, 64)}});
}

std::optional<Tr64Desc> fingerprint(HttpClient& http, const Deadline& deadline, const std::string& address,
                                    uint16_t port, std::chrono::milliseconds cap) {
  HttpRequest req;
  req.url = "http://" + fritz_host_port(address, port != 0 ? port : k_tr064_port) + "/tr64desc.xml";
  req.max_response_bytes = 256 * 1024;
  req.timeout = deadline.slice(cap);
  HttpResponse r = http.perform(req, deadline);
  if (r.status != 200) {
    return std::nullopt;
  }
  return parse_tr64desc(r.body);
}

Tr64Client::Tr64Client(HttpClient& http, const Deadline& deadline, std::string address, uint16_t port, Tr64Desc desc)
    : m_http(http),
      m_deadline(deadline),
      m_address(std::move(address)),
      m_port(port != 0 ? port : k_tr064_port),
      m_desc(std::move(desc)) {}

bool Tr64Client::rehearsing() const {
  return m_http.rehearsing();
}

void Tr64Client::set_login(std::string user, Secret password) {
  m_user = std::move(user);
  m_password = std::move(password);
}

std::string Tr64Client::base() const {
  return m_https ? "https://" + fritz_host_port(m_address, m_tls_port) : "http://" + fritz_host_port(m_address, m_port);
}

bool Tr64Client::try_https() {
  if (!offers("DeviceInfo:1")) {
    return false;
  }
  soap::Reply r;
  try {
    r = request("DeviceInfo:1", "GetSecurityPort", {}, tr("read its TLS port"), false, true);
  } catch (const Error&) {
    return false;
  }
  auto port = r.fault_code == 0 ? port_value(r.values, "NewSecurityPort") : std::nullopt;
  if (!port) {
    return false;
  }
  m_tls_port = *port;
  m_https = true;
  try {
    soap::Reply again = request("DeviceInfo:1", "GetSecurityPort", {}, tr("read its TLS port"), false, true);
    (void)again;
    return true;
  } catch (const HttpError& e) {
    if (e.failure() == HttpFailure::refused || e.failure() == HttpFailure::not_http ||
        e.failure() == HttpFailure::timeout) {
      m_https = false;  // offered but not answering: plain HTTP, and the warning says so
      return false;
    }
    throw;  // a changed key: never fall back
  }
}

soap::Reply Tr64Client::request(std::string_view service, const std::string& action, const Args& args,
                                std::string_view what, bool write, bool anonymous, bool own_606) {
  std::string url_path = m_desc.control_url(service);
  std::string type = m_desc.service_type(service);
  if (url_path.empty()) {
    throw Error(ErrorKind::unsupported,
                fill(tr("the FRITZ!Box does not offer the TR-064 service {service} (needed to {what})"),
                     {{"service", std::string(service)}, {"what", std::string(what)}}));
  }
  HttpRequest req;
  req.method = "POST";
  req.url = base() + url_path;
  req.headers = {"Content-Type: text/xml; charset=\"utf-8\"", "SOAPAction: \"" + type + "#" + action + "\""};
  req.body = soap::envelope(type, action, args);
  req.max_response_bytes = k_fritz_max_body;
  req.timeout = m_deadline.call_budget(10s);
  if (m_https) {
    req.tls.trust = TlsTrust::first_use;  // the box's self-signed certificate: pinned on first use
  }
  if (!anonymous) {
    if (m_user.empty()) {
      throw Error(ErrorKind::auth, tr("no FRITZ!Box user name: give it with --user NAME"));
    }
    req.digest_user = m_user;
    req.digest_password = m_password;
  }
  if (write) {
    req.changes_box = true;
    std::string shown = std::string(service) + "#" + action;
    for (const auto& [k, v] : args) {
      shown += " " + k + "=" + printable(v, 64);
    }
    req.what = shown;
    req.reply_when_not_sent = fritz_empty_reply(type, action);
  }
  HttpResponse r = m_http.perform(req, m_deadline);
  if (r.status == 401) {
    throw Error(ErrorKind::auth,
                fill(tr("the FRITZ!Box refused the login of user {user} (HTTP 401 after the digest) to {what}: the "
                        "password is wrong (give the right one with --password-file FILE, BOXWARDEN_PASSWORD or "
                        "~/.netrc), or that user lacks the right it needs: {place}"),
                     {{"user", printable(m_user, 64)}, {"what", std::string(what)}, {"place", rights_place(m_user)}}));
  }
  if (r.status == 403) {
    throw Error(ErrorKind::auth, fill(tr("the FRITZ!Box answered 403 to {what}: TR-064 may be off; in FRITZ!OS switch "
                                         "on Home Network > Network > Network Settings > \"Allow access for "
                                         "applications\" (German: Heimnetz > Netzwerk > Netzwerkeinstellungen > "
                                         "\"Zugriff für Anwendungen zulassen\")"),
                                      {{"what", std::string(what)}}));
  }
  if (r.status != 200 && r.status != 500) {
    throw Error(ErrorKind::protocol, fill(tr("the FRITZ!Box answered HTTP {status} to {what}"),
                                          {{"status", std::to_string(r.status)}, {"what", std::string(what)}}));
  }
  soap::Reply reply = soap::parse_reply(r.body);
  if (r.status == 500 && reply.fault_code == 0) {
    reply.fault_code = 501;
  }
  if ((reply.fault_code == 606 && !own_606) || (reply.fault_code >= 866 && reply.fault_code <= 868)) {
    throw_fault(reply, what);
  }
  return reply;
}

void Tr64Client::throw_fault(const soap::Reply& r, std::string_view what) const {
  if (r.fault_code == 606) {
    throw Error(ErrorKind::auth, fill(tr("the FRITZ!Box refused to {what} (TR-064 error 606, action not authorized): "
                                         "{place}"),
                                      {{"what", std::string(what)}, {"place", rights_place(m_user)}}));
  }
  if (r.fault_code >= 866 && r.fault_code <= 868) {
    throw Error(ErrorKind::auth, fill(tr("the FRITZ!Box asks for a second confirmation to {what} (TR-064 error "
                                         "{code}): confirm on the box (a button or the phone, as FRITZ!OS says), "
                                         "then run the command again"),
                                      {{"what", std::string(what)}, {"code", std::to_string(r.fault_code)}}));
  }
  throw Error(ErrorKind::refused, fill(tr("the FRITZ!Box refused to {what}: TR-064 error {code} ({name})"),
                                       {{"what", std::string(what)},
                                        {"code", std::to_string(r.fault_code)},
                                        {"name", fault_name(r.fault_code)}}));
}

Values Tr64Client::call(std::string_view service, const std::string& action, const Args& args, std::string_view what,
                        bool write) {
  soap::Reply r = request(service, action, args, what, write);
  if (r.fault_code != 0) {
    throw_fault(r, what);
  }
  return std::move(r.values);
}

std::optional<std::string> Tr64Client::get_file(const std::string& path) {
  std::string p = safe_path(path);
  if (p.empty()) {
    return std::nullopt;
  }
  HttpRequest req;
  req.url = base() + p;
  req.max_response_bytes = k_fritz_max_body;
  req.timeout = m_deadline.call_budget(10s);
  if (m_https) {
    req.tls.trust = TlsTrust::first_use;
  }
  req.digest_user = m_user;
  req.digest_password = m_password;
  req.shown_url = base() + p.substr(0, p.find('?'));  // the query may hold a session id
  HttpResponse r = m_http.perform(req, m_deadline);
  if (r.status != 200) {
    return std::nullopt;
  }
  return std::move(r.body);
}

}  // namespace bw::fritz
