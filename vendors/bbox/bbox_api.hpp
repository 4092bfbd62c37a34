// ApiClient: the transport and session of the Bbox local API (bbox-sfr.md A.1-A.3). Internal
// to the Bbox plugin; takes only an HttpClient, a Deadline and plain data.
//
// Contract:
// - Requests go to http://ADDRESS[:PORT]/api/v1/<path> (the LAN address; plain HTTP, as the
//   Bbox serves its API to the LAN: the BBOX_ID cookie crosses the LAN in clear, and
//   read_state says so in vendor_data.bbox.transport_warning).
// - fingerprint(): GET device without a cookie. A Bbox answers its device (older firmware) or
//   401 with its {"exception":...} envelope (newer firmware): both are a Bbox.
// - login(): POST login, form password=...&remember=0 (PUT when POST is 405). 200 with
//   Set-Cookie BBOX_ID: the cookie goes on every later call. 401: Error(auth), the password
//   is wrong (never retried). 429: Error(auth), the box locks logins out for a while (each try
//   makes it longer: never retried).
// - get(): one read; on 401 (expired cookie) one new login and one retry.
// - write(): PUT/POST/DELETE with ?btoken=<token> (GET device/token, kept until 30 s before
//   it expires), a form body. 403 (stale btoken): a fresh token and one retry; 401: one new
//   login, a fresh token, one retry. Other refusals: Error(refused) in one line
//   (refusal_message). Writes are HttpRequest::changes_box (--dry-run writes them down, with
//   the URL without its btoken).
// - Each request gets at most 15 s and at most half of what is left of the deadline; bodies
//   are capped at 1 MiB. The password, the cookie and the btoken never appear in an Error, a
//   shown URL or anything returned (a transport error's text is cleaned of the btoken).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/secret.hpp"
#include "vendors/bbox/bbox_parse.hpp"

namespace bw {
struct HttpRequest;
struct HttpResponse;
class HttpClient;
class Deadline;
}  // namespace bw

namespace bw::bbox {

// What answered at ADDRESS: a Bbox (with its device when it showed it without a login), or not.
struct Fingerprint {
  std::optional<Device> device;
};
std::optional<Fingerprint> fingerprint(HttpClient& http, const Deadline& deadline, const std::string& address,
                                       uint16_t port, std::chrono::milliseconds cap);

class ApiClient {
 public:
  ApiClient(HttpClient& http, const Deadline& deadline, std::string address, uint16_t port);

  void login(const Secret& password);
  bool logged_in() const { return !m_cookie.empty(); }
  int login_count() const { return m_logins; }
  bool rehearsing() const;
  const std::string& address() const { return m_address; }

  // GET /api/v1/<path>, unwrapped. Throws Error(refused) (or protocol) with `what` in its text.
  json get(const std::string& path, std::string_view what);
  // The same, nullopt (and the reason in `why`) when the box refuses or lacks that read.
  std::optional<json> try_get(const std::string& path, std::string_view what, std::string* why);
  // A change: METHOD /api/v1/<path>?btoken=..., `form` the body ("enable=0").
  void write(const std::string& method, const std::string& path, const std::string& form, std::string_view what);

  void logout() noexcept;
  void set_request_timeout(std::chrono::milliseconds cap) { m_timeout = cap; }

 private:
  HttpRequest request(const std::string& method, const std::string& path, const std::string& form) const;
  HttpResponse perform(const HttpRequest& req);
  HttpResponse send(const std::string& method, const std::string& path, const std::string& form = {});
  void fetch_token();

  HttpClient& m_http;
  const Deadline& m_deadline;
  std::string m_address;
  std::string m_base;  // http://HOST[:PORT]/api/v1/
  Secret m_password;
  std::string m_cookie;  // "BBOX_ID=..." (secret)
  std::string m_token;   // btoken (secret)
  std::chrono::steady_clock::time_point m_token_until{};
  int m_logins = 0;
  std::chrono::milliseconds m_timeout{15000};
};

}  // namespace bw::bbox
