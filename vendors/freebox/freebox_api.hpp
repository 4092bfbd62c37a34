// ApiClient: the transport and session of the Freebox OS local API (freebox.md 2-4).
// Internal to the Freebox plugin; takes only an HttpClient, a Deadline and plain data.
//
// Contract:
// - fingerprint() reads GET /api_version (no auth) on http://ADDRESS[:PORT]/.
// - Requests go to <scheme>://HOST[:PORT]<api_base_url>v<major>/<path>, JSON bodies.
//   When the box says https_available, every request after the fingerprint goes over HTTPS
//   to https://<api_domain>:<https_port>/ but connects to the box's LAN address
//   (HttpRequest::connect_to); the certificate must chain to the Freebox roots (or the
//   --ca-file CAs) and name api_domain (TlsTrust::ca). Plain HTTP only when the box offers no
//   HTTPS; then the session token crosses the LAN in clear, and over_tls() says so.
// - login(): a fresh challenge (GET login/), password = hex(HMAC-SHA1(app token, challenge)),
//   POST login/session/; the session token goes in X-Fbx-App-Auth on every later call.
// - call(): on auth_required / invalid_session, one new login with a fresh challenge, then one
//   retry; a second refusal is an Error(auth). HTTP 200 with success:false is an error.
// - Each request gets at most 15 s and at most half of what is left of the deadline; bodies
//   are capped at 1 MiB.
// - The app token, the challenge, the HMAC and the session token never appear in an Error,
//   in a URL or in anything returned, except the Authorization the caller asked for.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "core/secret.hpp"
#include "vendors/freebox/freebox_parse.hpp"

namespace bw {
struct HttpRequest;
struct HttpResponse;
class HttpClient;
class Deadline;
}  // namespace bw

namespace bw::freebox {

// The box no longer accepts the app token (invalid_token: revoked in Freebox OS, or the box
// was reset). An Error(auth) whose message says to pair again; the caller forgets the token.
class RevokedToken : public Error {
 public:
  explicit RevokedToken(const Error& e) : Error(e) {}
};

// Who asks for access (POST login/authorize/); shown on the box and in Freebox OS.
struct AppIdentity {
  std::string app_id = "fr.boxwarden";
  std::string app_name = "boxwarden";
  std::string app_version;
  std::string device_name;
};

// Where the box is, as the person named it (its LAN address) and as it described itself.
struct Endpoint {
  std::string address;     // LAN address (IPv4 literal or name)
  uint16_t http_port = 0;  // the port of --gateway HOST:PORT, else 0 (80)
  ApiVersion version;
  std::string extra_ca_pem;  // --ca-file: trusted besides the Freebox roots
};

// GET http://ADDRESS[:PORT]/api_version; nullopt when what answers is not a Freebox.
// Throws HttpError when nothing answers.
std::optional<ApiVersion> fingerprint(HttpClient& http, const Deadline& deadline, const std::string& address,
                                      uint16_t port, std::chrono::milliseconds cap);

class ApiClient {
 public:
  ApiClient(HttpClient& http, const Deadline& deadline, Endpoint endpoint);

  bool over_tls() const { return m_tls; }
  // True under --dry-run: changes are not sent, so a re-read cannot show them.
  bool rehearsing() const;
  const Endpoint& endpoint() const { return m_endpoint; }
  // "https://<api_domain>:PORT/api/v16/" shown as "https://(box's TLS name):PORT/api/v16/"
  // (the domain identifies the subscriber), for --dry-run lines.
  std::string shown_url(const std::string& path) const;

  // Opens a session with `app_token`. Throws Error(auth) for a refused token
  // (invalid_token: the caller forgets it), a rate limit, or pending_token.
  void login(const Secret& app_token);
  bool logged_in() const { return !m_session.empty(); }
  bool can_change_settings() const { return m_settings; }
  const json& permissions() const { return m_permissions; }
  int login_count() const { return m_logins; }

  // One authenticated call (method "GET", "PUT", "POST", "DELETE"; `path` without the
  // /api/vN/ prefix, e.g. "fw/redir/"). Returns the envelope when success is true; throws
  // envelope_error(...) with `fallback` otherwise; `what` words the call for messages.
  Envelope call(const std::string& method, const std::string& path, const json* body, std::string_view what,
                ErrorKind fallback);
  // The same, but a refusal is returned (success false) instead of thrown, except refused
  // sessions and missing rights; for callers that read `noent` or `disabled` as an answer.
  Envelope call_raw(const std::string& method, const std::string& path, const json* body, std::string_view what);

  // GET of a file (vpn/download_config/...): its body when the box sends the file, not JSON.
  // A secret (a client's private key). One re-login on an expired session, like call().
  Secret download(const std::string& path, std::string_view what);
  // Pairing (no session): POST login/authorize/ and GET login/authorize/{id}.
  Authorization authorize(const AppIdentity& app);
  PairStatus track(long long track_id);

  // POST login/logout/, best effort: never throws, forgets the session either way.
  void logout() noexcept;

  // Cap on one request (default 15 s), always bounded by the deadline.
  void set_request_timeout(std::chrono::milliseconds cap) { m_timeout = cap; }

 private:
  struct Raw {
    long status = 0;
    Envelope envelope;
  };
  HttpRequest request(const std::string& method, const std::string& path, const json* body,
                      bool with_session) const;
  HttpResponse perform(const HttpRequest& req);  // the api_domain never in its errors
  Raw send(const std::string& method, const std::string& path, const json* body, bool with_session);
  std::string url(const std::string& path) const;

  HttpClient& m_http;
  const Deadline& m_deadline;
  Endpoint m_endpoint;
  bool m_tls = false;
  std::string m_ca_pem;
  std::string m_session;  // session token (secret)
  Secret m_app_token;
  bool m_settings = false;
  json m_permissions = json::object();
  int m_logins = 0;
  std::chrono::milliseconds m_timeout{15000};
};

// Asks the box for an app token and waits for the person at the box: tells them what to do,
// polls every `poll` until granted, denied or timeout, bounded by `pairing` (not the run's
// --timeout). `wait` sleeps (a test passes one that moves a manual clock). Returns the app
// token; throws Error(auth) when denied, timed out or unknown.
Secret pair(ApiClient& api, const AppIdentity& app, const Deadline& pairing,
            const std::function<void(std::chrono::milliseconds)>& wait,
            const std::function<void(const std::string&)>& tell,
            std::chrono::milliseconds poll = std::chrono::seconds(1));

// Throws Error(auth), saying where Freebox OS grants it, when the app token lacks the
// "settings" right that every change needs.
void require_settings(const ApiClient& api, std::string_view what);

}  // namespace bw::freebox
