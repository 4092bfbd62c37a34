// WsClient: the JSON-over-HTTP transport of the Livebox `/ws` API, with its session
// (livebox.md sections 2-3). Internal to the Livebox plugin.
//
// Contract:
// - Every request is `POST <base>/ws` with Content-Type application/x-sah-ws-4-call+json.
// - login() sends createContext with `Authorization: X-Sah-Login`, keeps the contextID and
//   every cookie the box set, name and value byte for byte (names contain '/'), and
//   replays them on each later call together with both `Authorization: X-Sah <ctx>` and
//   `X-Context: <ctx>`.
// - A refused password (HTTP 401 or a non-zero login status) throws Error(auth) with the
//   plain message, plus the box's `waittime` when it gave one. It is never retried.
// - call() re-logs in at most once per call when the box answers error 13 or HTTP 401
//   (expired session), then retries that call once. A second 13 is returned to the caller,
//   and that call (service:method) counts as closed to this account: its later 13s cause
//   no new login. Other calls of the same service still re-log in on 13.
// - Transport (livebox.md 2.1): plain HTTP first. When an anonymous call (no secret in it)
//   is refused, gets no HTTP answer, or is redirected to https:// on the same host, the
//   client switches to https://HOST[:PORT] for good (the port the redirect names; else the
//   --gateway port, else 443) and retries that call. HTTPS uses trust on first use
//   (TlsTrust::first_use, net/pin_store.hpp): the login, the cookie and every later call
//   then travel only over TLS to the pinned key. A redirect to another host, or any
//   redirect of a call that carries the session, is refused and never followed.
// - Transport failures (reset, timeout, changed key) propagate as the HttpClient's
//   HttpError (exit 3).
// - The password stays in a Secret; no message, log or describe() text contains it.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/secret.hpp"
#include "vendors/livebox/livebox_parse.hpp"

namespace bw {
class HttpClient;
struct HttpResponse;
class Deadline;
}  // namespace bw

namespace bw::livebox {

// The message for a refused password (issue 3, item 3).
extern const char* const k_refused_password;

class WsClient {
 public:
  // `base_url` is "http://HOST[:PORT]" (or "https://..." to start on TLS); requests go to
  // base_url + "/ws".
  WsClient(HttpClient& http, const Deadline& deadline, std::string base_url);

  // One call without session headers (fingerprint). Throws Error(unsupported) when the
  // answer is not sysbus JSON (404, HTML: Orange Spain models), Error(protocol) otherwise.
  WsReply call_anonymous(std::string_view service, std::string_view method, const json& params);

  void login(const std::string& user, const Secret& password);
  bool logged_in() const { return !m_context.empty(); }

  // Whether a call changes the box: its request is then marked HttpRequest::changes_box, and
  // --dry-run writes it down instead of sending it (answered {"status":true}).
  enum class Change { no, yes };
  // Authenticated call; see the contract above. The reply may carry errors.
  WsReply call(std::string_view service, std::string_view method, const json& params,
               Change change = Change::no);
  // call(), then throws Error(kind) naming the call and the box's errors when it failed.
  WsReply call_ok(std::string_view service, std::string_view method, const json& params,
                  ErrorKind kind, Change change = Change::no);
  // True under --dry-run: changes are not sent, so a re-read cannot show them.
  bool rehearsing() const;

  // releaseContext, best effort: never throws, forgets the session either way.
  void logout() noexcept;

  const std::string& base_url() const { return m_base_url; }
  bool over_tls() const { return m_base_url.rfind("https://", 0) == 0; }
  // Cap on one request (default 15 s), always bounded by the deadline.
  void set_request_timeout(std::chrono::milliseconds cap) { m_timeout = cap; }
  int login_count() const { return m_logins; }

 private:
  struct Raw {
    long http_status = 0;
    WsReply reply;
  };
  enum class Secrets { none, some };  // whether the request may move to HTTPS and be resent
  Raw post(const std::string& body, const std::vector<std::string>& extra_headers,
           Secrets secrets = Secrets::some);
  HttpResponse send(const std::string& body, const std::vector<std::string>& extra_headers);
  void switch_to_https(uint16_t port, const std::string& why);
  std::vector<std::string> session_headers() const;
  void keep_cookies(const std::vector<std::string>& headers);

  HttpClient& m_http;
  const Deadline& m_deadline;
  std::string m_base_url;
  std::string m_host;   // from base_url
  uint16_t m_port = 0;  // from base_url; 0 when it names none
  std::string m_user;
  Secret m_password;
  std::string m_context;
  std::vector<std::string> m_cookies;  // "name=value", exactly as set by the box
  std::set<std::string> m_closed_calls;  // "Service:method" that answered 13 after a fresh login
  int m_logins = 0;
  bool m_changes = false;  // the request being sent changes the box
  std::string m_what;      // ... and what it is, for --dry-run
  std::chrono::milliseconds m_timeout{15000};
};

}  // namespace bw::livebox
