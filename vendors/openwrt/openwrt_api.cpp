#include "vendors/openwrt/openwrt_api.hpp"

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"
#include "net/http_client.hpp"

namespace bw::openwrt {

namespace {

using namespace std::chrono_literals;

constexpr size_t k_owrt_max_body = 1 << 20;
const std::string k_owrt_zero_sid(32, '0');

std::string owrt_base(const std::string& host, uint16_t port) {
  return "http://" + (port != 0 ? host + ":" + std::to_string(port) : host) + "/ubus";
}

std::string owrt_body(int id, const std::string& sid, const std::string& object, const std::string& method,
                      const ojson& args) {
  ojson j = {{"jsonrpc", "2.0"}, {"id", id}, {"method", "call"}, {"params", ojson::array({sid, object, method, args})}};
  return j.dump();
}

}  // namespace

bool fingerprint(HttpClient& http, const Deadline& deadline, const std::string& address, uint16_t port,
                 std::chrono::milliseconds cap) {
  HttpRequest req;
  req.method = "POST";
  req.url = owrt_base(address, port);
  req.headers = {"Content-Type: application/json", "Accept: application/json"};
  req.body = owrt_body(1, k_owrt_zero_sid, "session", "access",
                       ojson{{"scope", "ubus"}, {"object", "session"}, {"function", "login"}});
  req.max_response_bytes = 65536;
  req.timeout = deadline.slice(cap);
  HttpResponse r = http.perform(req, deadline);
  if (r.status != 200) {
    return false;
  }
  try {
    Reply rep = parse_reply(r.body);
    return rep.rpc_error ? (*rep.rpc_error <= -32000 && *rep.rpc_error >= -32003) : rep.status == 0;
  } catch (const Error&) {
    return false;
  }
}

Ubus::Ubus(HttpClient& http, const Deadline& deadline, std::string address, uint16_t port)
    : m_http(http), m_deadline(deadline), m_address(std::move(address)), m_url(owrt_base(m_address, port)) {}

bool Ubus::rehearsing() const {
  return m_http.rehearsing();
}

Reply Ubus::once(const std::string& object, const std::string& method, const ojson& args, bool changes,
                 const std::string& shown) {
  HttpRequest req;
  req.method = "POST";
  req.url = m_url;
  req.headers = {"Content-Type: application/json", "Accept: application/json"};
  req.body = owrt_body(++m_id, m_sid.empty() ? k_owrt_zero_sid : m_sid, object, method, args);
  req.max_response_bytes = k_owrt_max_body;
  req.timeout = m_deadline.call_budget(m_timeout);
  if (changes) {
    req.changes_box = true;
    req.what = shown;
    req.reply_when_not_sent = R"({"jsonrpc":"2.0","id":1,"result":[0]})";
  }
  HttpResponse r = m_http.perform(req, m_deadline);
  std::fill(req.body.begin(), req.body.end(), '\0');
  if (r.status != 200) {
    throw Error(ErrorKind::protocol, fill(tr("the router answered HTTP {status} to ubus {object}.{method}"),
                                          {{"status", std::to_string(r.status)}, {"object", object}, {"method", method}}));
  }
  return parse_reply(r.body);
}

void Ubus::login(const std::string& user, const Secret& password) {
  m_user = user;
  m_password = password;
  m_sid.clear();
  ojson args = {{"username", user}, {"password", password.reveal()}, {"timeout", 600}};
  Reply r = once("session", "login", args, false, "");
  args["password"] = "";
  if (r.rpc_error) {
    throw Error(ErrorKind::protocol, fill(tr("the router refused the ubus login call ({message}): is rpcd running?"),
                                          {{"message", r.rpc_message}}));
  }
  if (r.status == k_ubus_permission_denied || r.status == 2) {
    throw Error(ErrorKind::auth,
                fill(tr("the router refused the user {user} or its password (rpcd login): give the right one with "
                        "--user and --password-file FILE, BOXWARDEN_PASSWORD or ~/.netrc"),
                     {{"user", printable(user, 32)}}));
  }
  auto sid = r.status == 0 ? parse_login(r.data) : std::nullopt;
  if (!sid) {
    throw Error(ErrorKind::protocol, tr("the router accepted the login but gave no usable ubus session"));
  }
  m_sid = *sid;
  ++m_logins;
}

Reply Ubus::send(const std::string& object, const std::string& method, const ojson& args, bool changes,
                 const std::string& shown) {
  if (m_sid.empty() && !m_password.empty()) {
    login(m_user, m_password);
  }
  Reply r = once(object, method, args, changes, shown);
  if (r.rpc_error && (*r.rpc_error == k_rpc_access_denied || *r.rpc_error == k_rpc_session_not_found)) {
    login(m_user, m_password);  // expired session, or rpcd restarted: once
    r = once(object, method, args, changes, shown);
    if (r.rpc_error && *r.rpc_error == k_rpc_access_denied) {
      throw Error(ErrorKind::auth,
                  fill(tr("the router's rpcd does not let the user {user} call {object}.{method}: install boxwarden's "
                          "ACL (boxwarden-acl.json in /usr/share/rpcd/acl.d/) and list its group boxwarden under the user's "
                          "read and write in /etc/config/rpcd"),
                       {{"user", printable(m_user, 32)}, {"object", object}, {"method", method}}));
    }
  }
  if (r.rpc_error) {
    if (*r.rpc_error == k_rpc_object_not_found) {
      r.status = k_ubus_not_found;  // the package is not installed: like a missing entry
      r.rpc_error.reset();
      return r;
    }
    throw Error(ErrorKind::protocol, fill(tr("the router answered ubus {object}.{method} with error {code} ({message})"),
                                          {{"object", object}, {"method", method},
                                           {"code", std::to_string(*r.rpc_error)}, {"message", r.rpc_message}}));
  }
  return r;
}

Reply Ubus::call(const std::string& object, const std::string& method, const ojson& args) {
  return send(object, method, args, false, "");
}

ojson Ubus::must(const std::string& object, const std::string& method, const ojson& args, std::string_view what) {
  Reply r = call(object, method, args);
  if (r.status != 0) {
    throw Error(r.status == k_ubus_permission_denied ? ErrorKind::auth : ErrorKind::refused,
                fill(tr("the router refused to {what} (ubus {object}.{method}: {status})"),
                     {{"what", what}, {"object", object}, {"method", method}, {"status", status_name(r.status)}}));
  }
  return std::move(r.data);
}

Reply Ubus::write(const std::string& object, const std::string& method, const ojson& args, const std::string& shown) {
  return send(object, method, args, true, shown);
}

void Ubus::destroy() noexcept {
  if (m_sid.empty()) {
    return;
  }
  try {
    if (m_deadline.remaining() > 0ms) {
      auto saved = m_timeout;
      m_timeout = 2s;
      once("session", "destroy", ojson::object(), false, "");
      m_timeout = saved;
    }
  } catch (...) {
    // best effort
  }
  std::fill(m_sid.begin(), m_sid.end(), '\0');
  m_sid.clear();
}

}  // namespace bw::openwrt
