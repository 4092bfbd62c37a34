#include "vendors/bbox/bbox_api.hpp"

#include <ctime>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/json_get.hpp"
#include "core/text.hpp"
#include "net/http_client.hpp"

namespace bw::bbox {

namespace {

using namespace std::chrono_literals;

constexpr size_t k_max_body = 1 << 20;

std::string host_port(const std::string& host, uint16_t port) {
  return port != 0 ? host + ":" + std::to_string(port) : host;
}

// Seconds from "now" to "expires" (ISO 8601, Z or no zone); nullopt when unreadable.
std::optional<long> token_life(const json& dev) {
  auto secs = [](const std::string& t) -> std::optional<time_t> {
    std::tm tm{};
    if (t.size() < 19 || strptime(t.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) {
      return std::nullopt;
    }
    return timegm(&tm);
  };
  auto now = secs(json_string(dev, "now"));
  auto until = secs(json_string(dev, "expires"));
  if (!now || !until || *until <= *now) {
    return std::nullopt;
  }
  return static_cast<long>(*until - *now);
}

}  // namespace

std::optional<Fingerprint> fingerprint(HttpClient& http, const Deadline& deadline, const std::string& address,
                                       uint16_t port, std::chrono::milliseconds cap) {
  HttpRequest req;
  req.url = "http://" + host_port(address, port) + "/api/v1/device";
  req.headers = {"Accept: application/json"};
  req.max_response_bytes = 65536;
  req.timeout = deadline.slice(cap);
  HttpResponse r = http.perform(req, deadline);
  if (r.status == 200) {
    try {
      if (auto d = parse_device(unwrap(r.body))) {
        return Fingerprint{d};
      }
    } catch (const Error&) {
    }
    return std::nullopt;
  }
  if (r.status == 401 || r.status == 403) {
    auto e = parse_error(r.body);
    if (e && e->domain.find("device") != std::string::npos) {
      return Fingerprint{};
    }
  }
  return std::nullopt;
}

ApiClient::ApiClient(HttpClient& http, const Deadline& deadline, std::string address, uint16_t port)
    : m_http(http), m_deadline(deadline), m_address(std::move(address)) {
  m_base = "http://" + host_port(m_address, port) + "/api/v1/";
}

bool ApiClient::rehearsing() const {
  return m_http.rehearsing();
}

HttpRequest ApiClient::request(const std::string& method, const std::string& path, const std::string& form) const {
  HttpRequest req;
  req.method = method;
  req.url = m_base + path;
  req.headers = {"Accept: application/json", "X-Requested-With: XMLHttpRequest"};
  if (!m_cookie.empty()) {
    req.headers.push_back("Cookie: " + m_cookie);
  }
  if (!form.empty() || method != "GET") {
    req.headers.emplace_back("Content-Type: application/x-www-form-urlencoded; charset=UTF-8");
    req.body = form;
  }
  req.max_response_bytes = k_max_body;
  req.timeout = m_deadline.call_budget(m_timeout);
  return req;
}

HttpResponse ApiClient::perform(const HttpRequest& req) {
  try {
    return m_http.perform(req, m_deadline);
  } catch (const HttpError& e) {
    // The client's message names the URL, whose query holds the btoken: never shown.
    std::string m = e.what();
    for (size_t at = m.find("?btoken="); at != std::string::npos; at = m.find("?btoken=", at)) {
      size_t end = m.find_first_of(" &#", at + 8);
      m.replace(at, (end == std::string::npos ? m.size() : end) - at, "");
    }
    throw HttpError(e.failure(), m, e.presented_pin());
  }
}

HttpResponse ApiClient::send(const std::string& method, const std::string& path, const std::string& form) {
  return perform(request(method, path, form));
}

void ApiClient::login(const Secret& password) {
  m_password = password;
  m_cookie.clear();
  m_token.clear();
  std::string form = "password=" + form_escape(password.reveal()) + "&remember=0";
  HttpResponse r = send("POST", "login", form);
  if (r.status == 405) {
    r = send("PUT", "login", form);  // firmware that logs in with PUT (bbox-sfr.md A.2.1)
  }
  std::fill(form.begin(), form.end(), '\0');
  if (r.status == 401) {
    throw Error(ErrorKind::auth, tr("the Bbox refused the admin password (the one of its pages at "
                                    "http://mabbox.bytel.fr): give the right one with --password-file FILE, "
                                    "BOXWARDEN_PASSWORD or ~/.netrc"));
  }
  if (r.status == 429) {
    auto e = parse_error(r.body);
    auto wait = e ? retry_after_seconds(e->reason) : std::nullopt;
    throw Error(ErrorKind::auth,
                fill(tr("the Bbox refuses logins for a while after too many wrong passwords (it asks to wait {wait}); "
                        "every new try makes the wait longer: wait, then run the command once with the right "
                        "password"),
                     {{"wait", wait ? fill(tr("{n} s"), {{"n", std::to_string(*wait)}}) : std::string(tr("a few minutes"))}}));
  }
  if (r.status < 200 || r.status > 299) {
    throw Error(ErrorKind::protocol, refusal_message(parse_error(r.body), r.status, tr("open a session")));
  }
  for (const std::string& line : r.headers) {
    if (line.size() < 11 || strncasecmp(line.c_str(), "Set-Cookie:", 11) != 0) {
      continue;
    }
    std::string pair = line.substr(11);
    pair.erase(0, pair.find_first_not_of(' '));
    pair = pair.substr(0, pair.find(';'));
    if (pair.rfind("BBOX_ID=", 0) == 0 && pair.size() > 8 && pair.size() < 4096 &&
        pair.find_first_of("\r\n") == std::string::npos) {
      m_cookie = pair;
    }
  }
  if (m_cookie.empty()) {
    throw Error(ErrorKind::protocol, tr("the Bbox accepted the password but gave no session cookie (BBOX_ID)"));
  }
  ++m_logins;
}

std::optional<json> ApiClient::try_get(const std::string& path, std::string_view what, std::string* why) {
  if (m_cookie.empty()) {
    login(m_password);
  }
  HttpResponse r = send("GET", path);
  if (r.status == 401) {
    login(m_password);  // expired cookie: once
    r = send("GET", path);
  }
  if (r.status == 401) {
    throw Error(ErrorKind::auth, fill(tr("the Bbox refused boxwarden's session to {what} even after a new login"),
                                      {{"what", what}}));
  }
  if (r.status != 200) {
    if (why != nullptr) {
      *why = refusal_message(parse_error(r.body), r.status, what);
    }
    return std::nullopt;
  }
  return unwrap(r.body);
}

json ApiClient::get(const std::string& path, std::string_view what) {
  std::string why;
  auto j = try_get(path, what, &why);
  if (!j) {
    throw Error(ErrorKind::protocol, why);
  }
  return *j;
}

void ApiClient::fetch_token() {
  json t = get("device/token", tr("give a write token (btoken)"));
  const json& dev = section(t, {"device"});
  std::string token = json_string(dev, "token");
  if (token.empty() || token.size() > 256 || token.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    throw Error(ErrorKind::protocol, tr("the Bbox gave no usable write token (btoken)"));
  }
  long life = token_life(dev).value_or(60);
  m_token = token;
  m_token_until = std::chrono::steady_clock::now() + std::chrono::seconds(life > 60 ? life - 30 : life / 2);
}

void ApiClient::write(const std::string& method, const std::string& path, const std::string& form,
                      std::string_view what) {
  if (m_cookie.empty()) {
    login(m_password);
  }
  auto attempt = [&]() {
    if (m_token.empty() || std::chrono::steady_clock::now() >= m_token_until) {
      fetch_token();
    }
    HttpRequest req = request(method, path + (path.find('?') == std::string::npos ? "?" : "&") + "btoken=" + m_token, form);
    req.changes_box = true;
    req.what = form;
    req.shown_url = m_base + path;
    req.reply_when_not_sent = "";
    return perform(req);
  };
  HttpResponse r = attempt();
  if (r.status == 401) {
    login(m_password);
    r = attempt();
  } else if (r.status == 403) {
    m_token.clear();  // a stale btoken: a fresh one, once
    r = attempt();
  }
  if (r.status >= 200 && r.status <= 299) {
    return;
  }
  if (r.status == 401 || r.status == 403) {
    throw Error(ErrorKind::auth, refusal_message(parse_error(r.body), r.status, what));
  }
  throw Error(ErrorKind::refused, refusal_message(parse_error(r.body), r.status, what));
}

void ApiClient::logout() noexcept {
  if (m_cookie.empty()) {
    return;
  }
  try {
    if (m_deadline.remaining() > 0ms) {
      auto saved = m_timeout;
      m_timeout = 2s;
      send("POST", "logout");
      m_timeout = saved;
    }
  } catch (...) {
    // best effort
  }
  m_cookie.clear();
  m_token.clear();
}

}  // namespace bw::bbox
