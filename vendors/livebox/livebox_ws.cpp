#include "vendors/livebox/livebox_ws.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "net/http_client.hpp"
#include "vendors/livebox/livebox_request.hpp"

namespace bw::livebox {

const char* const k_refused_password =
    "the Livebox refused the password; it is printed under the box as the admin password, "
    "or the one you set";

namespace {

using namespace std::chrono_literals;

constexpr const char* k_content_type = "Content-Type: application/x-sah-ws-4-call+json";

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) {
    return false;
  }
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

std::string header_value(const std::vector<std::string>& headers, std::string_view name) {
  for (const std::string& line : headers) {
    if (line.size() > name.size() && starts_with_ci(line, name) && line[name.size()] == ':') {
      std::string v = line.substr(name.size() + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) {
        v.pop_back();
      }
      return v;
    }
  }
  return {};
}

std::string call_name(std::string_view service, std::string_view method) {
  return std::string(service) + ":" + std::string(method);
}

// "SCHEME://HOST[:PORT][/...]" -> scheme, host, port (0 when none). False when malformed.
bool split_url(const std::string& url, std::string& scheme, std::string& host, uint16_t& port) {
  auto sep = url.find("://");
  if (sep == std::string::npos) {
    return false;
  }
  scheme = url.substr(0, sep);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string rest = url.substr(sep + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (rest.find('@') != std::string::npos) {
    return false;  // user info: never
  }
  port = 0;
  auto colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find(']', colon) == std::string::npos) {
    std::string digits = rest.substr(colon + 1);
    if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos ||
        std::stol(digits) < 1 || std::stol(digits) > 65535) {
      return false;
    }
    port = static_cast<uint16_t>(std::stol(digits));
    rest = rest.substr(0, colon);
  }
  host = rest;
  return !host.empty();
}

bool same_host(const std::string& a, const std::string& b) {
  return a.size() == b.size() && starts_with_ci(a, b);
}

}  // namespace

WsClient::WsClient(HttpClient& http, const Deadline& deadline, std::string base_url)
    : m_http(http), m_deadline(deadline), m_base_url(std::move(base_url)) {
  std::string scheme;
  if (!split_url(m_base_url, scheme, m_host, m_port)) {
    m_host.clear();
  }
}

HttpResponse WsClient::send(const std::string& body, const std::vector<std::string>& extra) {
  HttpRequest req;
  req.method = "POST";
  req.url = m_base_url + "/ws";
  req.headers = {k_content_type, "Accept: */*"};
  req.headers.insert(req.headers.end(), extra.begin(), extra.end());
  req.body = body;
  // At most half of what is left of --timeout, as on the IGD path: a call that hangs in the
  // middle of a fix or rollback must leave time to take back what was done and check it.
  req.timeout = std::min(m_deadline.slice(m_timeout), m_deadline.remaining() / 2);
  if (over_tls()) {
    req.tls.trust = TlsTrust::first_use;  // self-signed: pinned on first use
  }
  return m_http.perform(req, m_deadline);
}

void WsClient::switch_to_https(uint16_t port, const std::string& why) {
  if (m_host.empty()) {
    throw Error(ErrorKind::unsupported, why + "; boxwarden cannot tell the box's address to use HTTPS");
  }
  m_base_url = "https://" + m_host + (port != 0 ? ":" + std::to_string(port) : "");
}

WsClient::Raw WsClient::post(const std::string& body, const std::vector<std::string>& extra, Secrets secrets) {
  bool may_move = secrets == Secrets::none && !over_tls();
  HttpResponse resp;
  try {
    resp = send(body, extra);
  } catch (const HttpError& e) {
    if (!may_move || (e.failure() != HttpFailure::refused && e.failure() != HttpFailure::not_http)) {
      throw;
    }
    // Nothing speaks plain HTTP there: the box's HTTPS, on the same port when one was named.
    switch_to_https(m_port, std::string("plain HTTP failed (") + e.what() + ")");
    try {
      return post(body, extra, Secrets::some);
    } catch (const HttpError& tls) {
      if (tls.failure() == HttpFailure::key_changed || tls.failure() == HttpFailure::untrusted) {
        throw;  // its own message says what to do
      }
      throw HttpError(tls.failure(), std::string("the box answers neither plain HTTP (") + e.what() +
                                         ") nor HTTPS (" + tls.what() + ")");
    }
  }
  if (resp.status >= 300 && resp.status < 400) {
    std::string location = header_value(resp.headers, "Location");
    std::string scheme, host;
    uint16_t port = 0;
    bool parsed = split_url(location, scheme, host, port);
    if (may_move && parsed && scheme == "https" && same_host(host, m_host)) {
      // Livebox S firmware sends port 80 to HTTPS with a self-signed certificate.
      switch_to_https(port, "the Livebox redirects plain HTTP to " + printable(location));
      return post(body, extra, Secrets::some);
    }
    throw Error(ErrorKind::unsupported,
                "the Livebox redirects its API (HTTP " + std::to_string(resp.status) + " to " +
                    printable(location) + "); boxwarden follows only a redirect of its first, anonymous "
                    "call to https:// on the box's own address (" + printable(m_host) + "), never elsewhere");
  }
  keep_cookies(resp.headers);

  std::string type = header_value(resp.headers, "Content-Type");
  bool html = starts_with_ci(type, "text/html");
  if (resp.status == 404 || (html && resp.status != 401)) {
    throw Error(ErrorKind::unsupported,
                "this box does not speak the Livebox /ws API (HTTP " + std::to_string(resp.status) +
                    (html ? ", an HTML page" : "") +
                    "); Orange Spain Liveboxes and the old Livebox Pro V3/V4 are not supported");
  }
  Raw raw;
  raw.http_status = resp.status;
  if (resp.status == 401) {
    json j = json::parse(resp.body, nullptr, false);
    raw.reply = j.is_discarded() ? WsReply{} : unwrap_reply(j);
    return raw;
  }
  if (resp.status != 200) {
    throw Error(ErrorKind::protocol,
                "the Livebox answered HTTP " + std::to_string(resp.status) + " on /ws");
  }
  raw.reply = parse_reply(resp.body);
  return raw;
}

void WsClient::keep_cookies(const std::vector<std::string>& headers) {
  for (const std::string& line : headers) {
    if (!starts_with_ci(line, "Set-Cookie:")) {
      continue;
    }
    std::string pair = line.substr(11);
    pair.erase(0, pair.find_first_not_of(" \t"));
    pair = pair.substr(0, pair.find(';'));
    while (!pair.empty() && (pair.back() == '\r' || pair.back() == '\n' || pair.back() == ' ')) {
      pair.pop_back();
    }
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      continue;
    }
    std::string name = pair.substr(0, eq + 1);
    auto it = std::find_if(m_cookies.begin(), m_cookies.end(),
                           [&](const std::string& c) { return c.starts_with(name); });
    if (eq + 1 == pair.size()) {  // emptied: the box dropped it
      if (it != m_cookies.end()) {
        m_cookies.erase(it);
      }
    } else if (it != m_cookies.end()) {
      *it = pair;  // same place: the Cookie header keeps the box's order
    } else {
      m_cookies.push_back(pair);
    }
  }
}

std::vector<std::string> WsClient::session_headers() const {
  std::vector<std::string> h = {"Authorization: X-Sah " + m_context, "X-Context: " + m_context};
  if (!m_cookies.empty()) {
    std::string c = "Cookie: ";
    for (size_t i = 0; i < m_cookies.size(); ++i) {
      c += (i == 0 ? "" : "; ") + m_cookies[i];
    }
    h.push_back(c);
  }
  return h;
}

WsReply WsClient::call_anonymous(std::string_view service, std::string_view method,
                                 const json& params) {
  Raw r = post(request_body(service, method, params), {}, Secrets::none);
  if (r.http_status != 200) {
    throw Error(ErrorKind::protocol, "the Livebox answered HTTP " + std::to_string(r.http_status) +
                                         " to " + call_name(service, method));
  }
  return r.reply;
}

void WsClient::login(const std::string& user, const Secret& password) {
  m_user = user.empty() ? "admin" : user;
  m_password = password;
  m_context.clear();
  Raw r = post(login_body(m_user, password.reveal()), {"Authorization: X-Sah-Login"});
  const WsReply& rep = r.reply;
  std::string ctx = get_string(rep.data, "contextID");
  auto status = rep.status.is_number_integer() ? rep.status.get<long>() : 0L;
  if (r.http_status == 401 || status != 0 || (ctx.empty() && !rep.errors.empty())) {
    std::string msg = k_refused_password;
    for (const WsError& e : rep.errors) {
      if (e.waittime && *e.waittime > 0) {
        msg += "; after failed attempts the box refuses logins for " + std::to_string(*e.waittime) +
               " s: wait before trying again";
        break;
      }
    }
    throw Error(ErrorKind::auth, msg);
  }
  if (ctx.empty()) {
    throw Error(ErrorKind::protocol, "the Livebox accepted the login but gave no session context");
  }
  std::string groups = get_string(rep.data, "groups");
  if (!groups.empty() && ("," + groups + ",").find(",admin,") == std::string::npos) {
    throw Error(ErrorKind::auth, "the Livebox account '" + m_user +
                                     "' is not an administrator (groups: " + printable(groups) +
                                     "); log in as admin");
  }
  m_context = ctx;
  ++m_logins;
}

WsReply WsClient::call(std::string_view service, std::string_view method, const json& params) {
  if (m_context.empty()) {
    login(m_user, m_password);
  }
  std::string body = request_body(service, method, params);
  Raw r = post(body, session_headers());
  bool closed = m_closed_calls.count(call_name(service, method)) != 0;
  if (r.http_status == 401 || (r.reply.has_error(k_err_permission) && !closed)) {
    // Expired or lost session: log in again once, retry once, never loop.
    login(m_user, m_password);
    r = post(body, session_headers());
    if (r.http_status == 200 && r.reply.has_error(k_err_permission)) {
      m_closed_calls.insert(call_name(service, method));  // closed to this account, not expired
    }
  }
  if (r.http_status != 200) {
    throw Error(ErrorKind::auth, "the Livebox refused the session for " + call_name(service, method) +
                                     " (HTTP " + std::to_string(r.http_status) + ")");
  }
  return r.reply;
}

WsReply WsClient::call_ok(std::string_view service, std::string_view method, const json& params,
                          ErrorKind kind) {
  WsReply r = call(service, method, params);
  if (!r.ok()) {
    std::string what = call_name(service, method);
    if (r.has_error(k_err_permission)) {
      throw Error(kind, "the Livebox refuses " + what + " to this account even after a new login (" +
                            describe_errors(r.errors) + ")");
    }
    throw Error(kind, "the Livebox refused " + what + ": " + describe_errors(r.errors));
  }
  return r;
}

void WsClient::logout() noexcept {
  if (m_context.empty()) {
    return;
  }
  try {
    if (m_deadline.remaining() > 0ms) {
      HttpRequest req;
      req.method = "POST";
      req.url = m_base_url + "/ws";
      req.headers = {k_content_type, "Accept: */*", "Authorization: X-Sah-Logout " + m_context};
      std::vector<std::string> h = session_headers();
      if (h.size() > 2) {
        req.headers.push_back(h[2]);  // the cookie
      }
      req.body = logout_body();
      req.timeout = m_deadline.slice(2s);
      if (over_tls()) {
        req.tls.trust = TlsTrust::first_use;
      }
      m_http.perform(req, m_deadline);  // 401 with status 1 is the usual answer: ignore it
    }
  } catch (...) {
    // best effort
  }
  m_context.clear();
  m_cookies.clear();
}

}  // namespace bw::livebox
