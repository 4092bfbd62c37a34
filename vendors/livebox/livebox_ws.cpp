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

}  // namespace

WsClient::WsClient(HttpClient& http, const Deadline& deadline, std::string base_url)
    : m_http(http), m_deadline(deadline), m_base_url(std::move(base_url)) {}

WsClient::Raw WsClient::post(const std::string& body, const std::vector<std::string>& extra) {
  HttpRequest req;
  req.method = "POST";
  req.url = m_base_url + "/ws";
  req.headers = {k_content_type, "Accept: */*"};
  req.headers.insert(req.headers.end(), extra.begin(), extra.end());
  req.body = body;
  req.timeout = m_deadline.slice(m_timeout);
  HttpResponse resp = m_http.perform(req, m_deadline);
  keep_cookies(resp.headers);

  std::string type = header_value(resp.headers, "Content-Type");
  bool html = starts_with_ci(type, "text/html");
  if (resp.status == 404 || (html && resp.status != 401)) {
    throw Error(ErrorKind::unsupported,
                "this box does not speak the Livebox /ws API (HTTP " + std::to_string(resp.status) +
                    (html ? ", an HTML page" : "") +
                    "); Orange Spain Liveboxes and the old Livebox Pro V3/V4 are not supported");
  }
  if (resp.status >= 300 && resp.status < 400) {
    // Livebox S firmware may send port 80 to HTTPS with a self-signed certificate.
    throw Error(ErrorKind::unsupported,
                "the Livebox redirects its API (HTTP " + std::to_string(resp.status) + " to " +
                    printable(header_value(resp.headers, "Location")) +
                    "); boxwarden does not talk to it over HTTPS with its self-signed certificate yet");
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
  Raw r = post(request_body(service, method, params), {});
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
      m_http.perform(req, m_deadline);  // 401 with status 1 is the usual answer: ignore it
    }
  } catch (...) {
    // best effort
  }
  m_context.clear();
  m_cookies.clear();
}

}  // namespace bw::livebox
