#include "vendors/freebox/freebox_api.hpp"

#include <algorithm>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "net/http_client.hpp"
#include "vendors/freebox/freebox_errors.hpp"
#include "vendors/freebox/freebox_roots.hpp"

namespace bw::freebox {

namespace {

using namespace std::chrono_literals;

constexpr size_t k_max_body = 1 << 20;

std::string host_port(const std::string& host, uint16_t port) {
  bool v6 = host.find(':') != std::string::npos;
  std::string h = v6 ? "[" + host + "]" : host;
  return port != 0 ? h + ":" + std::to_string(port) : h;
}

bool is_auth_retry(const std::string& code) {
  return code == "auth_required" || code == "invalid_session";
}

}  // namespace

std::optional<ApiVersion> fingerprint(HttpClient& http, const Deadline& deadline, const std::string& address,
                                      uint16_t port, std::chrono::milliseconds cap) {
  HttpRequest req;
  req.url = "http://" + host_port(address, port) + "/api_version";
  req.headers = {"Accept: application/json"};
  req.max_response_bytes = 65536;
  req.timeout = deadline.slice(cap);
  HttpResponse r = http.perform(req, deadline);
  if (r.status != 200) {
    return std::nullopt;
  }
  return parse_api_version(r.body);
}

ApiClient::ApiClient(HttpClient& http, const Deadline& deadline, Endpoint endpoint)
    : m_http(http), m_deadline(deadline), m_endpoint(std::move(endpoint)) {
  m_tls = m_endpoint.version.https_available && !m_endpoint.version.api_domain.empty() &&
          m_endpoint.version.https_port != 0;
  m_ca_pem = std::string(k_freebox_root_cas_pem);
  if (!m_endpoint.extra_ca_pem.empty()) {
    m_ca_pem += "\n" + m_endpoint.extra_ca_pem;
  }
}

std::string ApiClient::url(const std::string& path) const {
  const ApiVersion& v = m_endpoint.version;
  std::string base = m_tls ? "https://" + host_port(v.api_domain, v.https_port)
                           : "http://" + host_port(m_endpoint.address, m_endpoint.http_port);
  return base + v.api_base_url + "v" + std::to_string(v.api_major) + "/" + path;
}

std::string ApiClient::shown_url(const std::string& path) const {
  const ApiVersion& v = m_endpoint.version;
  std::string base = m_tls ? "https://(the box's TLS name):" + std::to_string(v.https_port)
                           : "http://" + host_port(m_endpoint.address, m_endpoint.http_port);
  return base + v.api_base_url + "v" + std::to_string(v.api_major) + "/" + path;
}

HttpRequest ApiClient::request(const std::string& method, const std::string& path, const json* body,
                               bool with_session) const {
  HttpRequest req;
  req.method = method;
  req.url = url(path);
  req.headers = {"Accept: application/json"};
  if (body != nullptr) {
    req.headers.emplace_back("Content-Type: application/json");
    req.body = body->dump(-1, ' ', false, json::error_handler_t::replace);
  }
  if (with_session && !m_session.empty()) {
    req.headers.push_back("X-Fbx-App-Auth: " + m_session);
  }
  req.max_response_bytes = k_max_body;
  // At most half of what is left: a call that hangs in the middle of a fix must leave time to
  // take back what was done and check it.
  req.timeout = m_deadline.call_budget(m_timeout);
  // Every verb but GET in a session changes the box (logout aside): --dry-run writes it down.
  if (with_session && method != "GET" && path != "login/logout/") {
    req.changes_box = true;
    req.what = req.body;
    req.shown_url = shown_url(path);
    req.reply_when_not_sent = R"({"success":true})";
  }
  if (m_tls) {
    req.connect_to = m_endpoint.address;  // the LAN address; TLS checks api_domain
    req.tls.trust = TlsTrust::ca;
    req.tls.ca_pem = m_ca_pem;
  }
  return req;
}

HttpResponse ApiClient::perform(const HttpRequest& req) {
  try {
    return m_http.perform(req, m_deadline);
  } catch (const HttpError& e) {
    if (!m_tls) {
      throw;
    }
    // The client's message names the URL, whose host is the box's api_domain: it identifies
    // the subscriber, so it is not printed.
    std::string m = e.what();
    const std::string& domain = m_endpoint.version.api_domain;
    for (size_t at = m.find(domain); !domain.empty() && at != std::string::npos; at = m.find(domain, at)) {
      m.replace(at, domain.size(), "(the box's TLS name)");
    }
    throw HttpError(e.failure(), m, e.presented_pin());
  }
}

ApiClient::Raw ApiClient::send(const std::string& method, const std::string& path, const json* body,
                               bool with_session) {
  HttpResponse r = perform(request(method, path, body, with_session));
  Raw raw;
  raw.status = r.status;
  try {
    raw.envelope = parse_envelope(r.body);
  } catch (const Error&) {
    throw Error(ErrorKind::protocol, "the Freebox answered HTTP " + std::to_string(r.status) + " without JSON to " +
                                         method + " " + printable(path, 60));
  }
  return raw;
}

bool ApiClient::rehearsing() const {
  return m_http.rehearsing();
}

void ApiClient::login(const Secret& app_token) {
  m_app_token = app_token;
  m_session.clear();
  Raw c = send("GET", "login/", nullptr, false);
  if (!c.envelope.success) {
    throw envelope_error(c.envelope, c.status, "give a login challenge", m_endpoint.address, ErrorKind::protocol);
  }
  auto challenge = parse_challenge(c.envelope.result);
  if (!challenge) {
    throw Error(ErrorKind::protocol, "the Freebox gave no usable login challenge");
  }
  json body = {{"app_id", AppIdentity{}.app_id}, {"password", hmac_sha1_hex(app_token.reveal(), *challenge)}};
  Raw s = send("POST", "login/session/", &body, false);
  std::fill(body["password"].get_ref<std::string&>().begin(), body["password"].get_ref<std::string&>().end(), '0');
  if (!s.envelope.success) {
    Error e = envelope_error(s.envelope, s.status, "open a session", m_endpoint.address, ErrorKind::auth);
    if (s.envelope.error_code == "invalid_token") {
      throw RevokedToken(e);
    }
    throw e;
  }
  auto grant = parse_session(s.envelope.result);
  if (!grant) {
    throw Error(ErrorKind::protocol, "the Freebox accepted the login but gave no session token");
  }
  m_session = grant->session_token;
  m_settings = grant->settings;
  m_permissions = grant->permissions;
  ++m_logins;
}

Envelope ApiClient::call_raw(const std::string& method, const std::string& path, const json* body,
                             std::string_view what) {
  if (m_session.empty()) {
    login(m_app_token);
  }
  Raw r = send(method, path, body, true);
  if (!r.envelope.success && is_auth_retry(r.envelope.error_code)) {
    // Expired session: one new login with a fresh challenge, one retry, never a loop.
    login(m_app_token);
    r = send(method, path, body, true);
  }
  if (!r.envelope.success && r.envelope.error_code == "invalid_token") {
    throw RevokedToken(envelope_error(r.envelope, r.status, what, m_endpoint.address, ErrorKind::auth));
  }
  if (!r.envelope.success &&
      (is_auth_retry(r.envelope.error_code) || r.envelope.error_code == "insufficient_rights")) {
    throw envelope_error(r.envelope, r.status, what, m_endpoint.address, ErrorKind::auth);
  }
  return r.envelope;
}

Secret ApiClient::download(const std::string& path, std::string_view what) {
  if (m_session.empty()) {
    login(m_app_token);
  }
  for (int attempt = 0;; ++attempt) {
    HttpResponse r = perform(request("GET", path, nullptr, true));
    if (r.status == 200 && r.header("Content-Type").find("json") == std::string::npos) {
      return Secret(std::move(r.body));  // the file itself, not the JSON envelope
    }
    Envelope e;
    try {
      e = parse_envelope(r.body);
    } catch (const Error&) {
      throw Error(ErrorKind::protocol, "the Freebox answered HTTP " + std::to_string(r.status) + " to " +
                                           std::string(what) + ", with neither the file nor an error");
    }
    if (attempt == 0 && !e.success && is_auth_retry(e.error_code)) {
      login(m_app_token);  // expired session: once
      continue;
    }
    bool auth = e.error_code == "insufficient_rights" || is_auth_retry(e.error_code) || e.error_code == "invalid_token";
    throw envelope_error(e, r.status, what, m_endpoint.address, auth ? ErrorKind::auth : ErrorKind::refused);
  }
}

Envelope ApiClient::call(const std::string& method, const std::string& path, const json* body,
                         std::string_view what, ErrorKind fallback) {
  Envelope e = call_raw(method, path, body, what);
  if (!e.success) {
    throw envelope_error(e, 200, what, m_endpoint.address, fallback);
  }
  return e;
}

Authorization ApiClient::authorize(const AppIdentity& app) {
  json body = {{"app_id", app.app_id},
               {"app_name", app.app_name},
               {"app_version", app.app_version},
               {"device_name", app.device_name}};
  Raw r = send("POST", "login/authorize/", &body, false);
  if (!r.envelope.success) {
    throw envelope_error(r.envelope, r.status, "ask for an app token", m_endpoint.address, ErrorKind::auth);
  }
  auto a = parse_authorization(r.envelope.result);
  if (!a) {
    throw Error(ErrorKind::protocol, "the Freebox answered the request for access without a token and track id");
  }
  return *a;
}

PairStatus ApiClient::track(long long track_id) {
  Raw r = send("GET", "login/authorize/" + std::to_string(track_id), nullptr, false);
  if (!r.envelope.success) {
    throw envelope_error(r.envelope, r.status, "say whether access was granted", m_endpoint.address,
                         ErrorKind::auth);
  }
  return parse_pair_status(r.envelope.result);
}

void ApiClient::logout() noexcept {
  if (m_session.empty()) {
    return;
  }
  try {
    if (m_deadline.remaining() > 0ms) {
      auto saved = m_timeout;
      m_timeout = 2s;
      send("POST", "login/logout/", nullptr, true);
      m_timeout = saved;
    }
  } catch (...) {
    // best effort
  }
  m_session.clear();
}

Secret pair(ApiClient& api, const AppIdentity& app, const Deadline& pairing,
            const std::function<void(std::chrono::milliseconds)>& wait,
            const std::function<void(const std::string&)>& tell, std::chrono::milliseconds poll) {
  Authorization a = api.authorize(app);
  Secret token(a.app_token);
  std::fill(a.app_token.begin(), a.app_token.end(), '\0');
  auto seconds = (pairing.remaining().count() + 999) / 1000;  // 119.999 s is "2 minutes"
  if (tell) {
    tell("Press the right arrow on the Freebox's screen to allow boxwarden (waiting up to " +
         (seconds >= 120 && seconds % 60 == 0 ? std::to_string(seconds / 60) + " minutes"
                                              : std::to_string(seconds) + " s") +
         ")");
  }
  const std::string again = "; run `" + pair_command(api.endpoint().address) + "` to try again";
  for (;;) {
    PairStatus s = api.track(a.track_id);
    switch (s) {
      case PairStatus::granted:
        return token;
      case PairStatus::denied:
        throw Error(ErrorKind::auth, "access was refused on the Freebox's screen" + again);
      case PairStatus::timeout:
        throw Error(ErrorKind::auth, "nobody confirmed on the Freebox's screen in time (the box gave up)" + again +
                                         " and press the right arrow on the box when it asks");
      case PairStatus::unknown:
        throw Error(ErrorKind::auth, "the Freebox no longer knows this request for access" + again);
      case PairStatus::pending:
        break;
    }
    if (pairing.remaining() <= poll) {
      throw Error(ErrorKind::auth, "nobody confirmed on the Freebox's screen within " + std::to_string(seconds) +
                                       " s" + again + " and press the right arrow on the box when it asks");
    }
    wait(poll);
  }
}

void require_settings(const ApiClient& api, std::string_view what) {
  if (!api.can_change_settings()) {
    throw Error(ErrorKind::auth, insufficient_rights_message(what));
  }
}

}  // namespace bw::freebox
