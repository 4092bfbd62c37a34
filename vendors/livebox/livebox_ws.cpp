#include "vendors/livebox/livebox_ws.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"
#include "net/http_client.hpp"
#include "net/url.hpp"
#include "vendors/livebox/livebox_request.hpp"

namespace bw::livebox {

const char* const k_refused_password =
    N_("the Livebox refused the password; it is printed under the box as the admin password, "
       "or the one you set");

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

std::string call_name(std::string_view service, std::string_view method) {
  return std::string(service) + ":" + std::string(method);
}

}  // namespace

WsClient::WsClient(HttpClient& http, const Deadline& deadline, std::string base_url)
    : m_http(http), m_deadline(deadline), m_base_url(std::move(base_url)) {
  if (auto u = parse_url(m_base_url)) {
    m_host = u->host;
    m_port = u->port;
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
  req.timeout = m_deadline.call_budget(m_timeout);
  if (m_changes) {
    req.changes_box = true;
    req.what = m_what;
    req.reply_when_not_sent = R"({"status":true})";
  }
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
      throw HttpError(tls.failure(), fill(tr("the box answers neither plain HTTP ({http}) nor HTTPS ({https})"),
                                          {{"http", e.what()}, {"https", tls.what()}}));
    }
  }
  if (resp.status >= 300 && resp.status < 400) {
    std::string location = header_value(resp.headers, "Location");
    auto to = parse_url(location);
    if (may_move && to && to->scheme == "https" && same_host(to->host, m_host)) {
      // Livebox S firmware sends port 80 to HTTPS with a self-signed certificate.
      switch_to_https(to->port, "the Livebox redirects plain HTTP to " + printable(location));
      return post(body, extra, Secrets::some);
    }
    throw Error(ErrorKind::unsupported,
                fill(tr("the Livebox redirects its API (HTTP {status} to {location}); boxwarden follows only a "
                        "redirect of its first, anonymous call to https:// on the box's own address ({host}), never "
                        "elsewhere"),
                     {{"status", std::to_string(resp.status)}, {"location", printable(location)}, {"host", printable(m_host)}}));
  }
  keep_cookies(resp.headers);

  std::string type = header_value(resp.headers, "Content-Type");
  bool html = starts_with_ci(type, "text/html");
  if (resp.status == 404 || (html && resp.status != 401)) {
    throw Error(ErrorKind::unsupported,
                fill(html ? tr("this box does not speak the Livebox /ws API (HTTP {status}, an HTML page); Orange Spain "
                               "Liveboxes and the old Livebox Pro V3/V4 are not supported")
                          : tr("this box does not speak the Livebox /ws API (HTTP {status}); Orange Spain Liveboxes "
                               "and the old Livebox Pro V3/V4 are not supported"),
                     {{"status", std::to_string(resp.status)}}));
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
    std::string msg = tr(k_refused_password);
    for (const WsError& e : rep.errors) {
      if (e.waittime && *e.waittime > 0) {
        msg = fill(tr("{message}; after failed attempts the box refuses logins for {seconds} s: wait before trying again"),
                   {{"message", msg}, {"seconds", std::to_string(*e.waittime)}});
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

WsReply WsClient::call(std::string_view service, std::string_view method, const json& params,
                       Change change) {
  if (m_context.empty()) {
    login(m_user, m_password);
  }
  // A change is marked on its requests (and only on them: not on a login it may need), so
  // that --dry-run writes it down instead of sending it.
  struct Marking {
    WsClient& ws;
    ~Marking() { ws.m_changes = false; }
  } marking{*this};
  m_changes = change == Change::yes;
  m_what = call_name(service, method) + " " + params.dump();
  std::string body = request_body(service, method, params);
  Raw r = post(body, session_headers());
  bool closed = m_closed_calls.count(call_name(service, method)) != 0;
  if (r.http_status == 401 || (r.reply.has_error(k_err_permission) && !closed)) {
    // Expired or lost session: log in again once, retry once, never loop.
    m_changes = false;
    login(m_user, m_password);
    m_changes = change == Change::yes;
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
                          ErrorKind kind, Change change) {
  WsReply r = call(service, method, params, change);
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

bool WsClient::rehearsing() const {
  return m_http.rehearsing();
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
