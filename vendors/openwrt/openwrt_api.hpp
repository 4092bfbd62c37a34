// Ubus: the transport and rpcd session of OpenWrt's ubus JSON-RPC (openwrt-ubus.md 1-2, 4).
// Internal to the OpenWrt plugin; takes only an HttpClient, a Deadline and plain data.
//
// Contract:
// - Every call is POST http://ADDRESS[:PORT]/ubus with the classic body
//   {"jsonrpc":"2.0","id":N,"method":"call","params":[SID,OBJECT,METHOD,ARGS]} (18.06 to 24.10).
// - login(): session.login with the all-zero SID; status 6 is Error(auth) (wrong user or
//   password, never retried). The session id is a secret: never in a message, a log or a return.
// - call(): one call; JSON-RPC -32002/-32001 (access denied, session gone: rpcd restarted or the
//   session expired) -> one new login and one retry; still denied -> Error(auth) naming the
//   object and method the rpcd ACL lacks (vendors/openwrt/boxwarden-acl.json grants them).
//   A non-zero ubus status is returned in Reply::status (the caller judges it).
// - write(): the same, marked HttpRequest::changes_box (--dry-run writes it down and answers [0]).
// - Each request gets at most 10 s and at most half of what is left of the deadline; bodies
//   are capped at 1 MiB (uhttpd's own request limit is 64 KiB: ours are far below).
// - destroy(): session.destroy, best effort (at close).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/secret.hpp"
#include "vendors/openwrt/openwrt_parse.hpp"

namespace bw {
struct HttpRequest;
struct HttpResponse;
class HttpClient;
class Deadline;
}  // namespace bw

namespace bw::openwrt {

// True when something at ADDRESS answers ubus JSON-RPC at /ubus (anonymous session.access).
bool fingerprint(HttpClient& http, const Deadline& deadline, const std::string& address, uint16_t port,
                 std::chrono::milliseconds cap);

class Ubus {
 public:
  Ubus(HttpClient& http, const Deadline& deadline, std::string address, uint16_t port);

  void login(const std::string& user, const Secret& password);
  bool logged_in() const { return !m_sid.empty(); }
  bool rehearsing() const;
  const std::string& address() const { return m_address; }
  const std::string& user() const { return m_user; }
  const Deadline& deadline() const { return m_deadline; }
  int logins() const { return m_logins; }

  Reply call(const std::string& object, const std::string& method, const ojson& args);
  // A call whose non-zero status is an Error(refused) with `what` (a clause: "read its firewall").
  ojson must(const std::string& object, const std::string& method, const ojson& args, std::string_view what);
  // A change: marked changes_box, shown as `shown` under --dry-run.
  Reply write(const std::string& object, const std::string& method, const ojson& args, const std::string& shown);

  void destroy() noexcept;
  void set_request_timeout(std::chrono::milliseconds cap) { m_timeout = cap; }

 private:
  Reply send(const std::string& object, const std::string& method, const ojson& args, bool changes,
             const std::string& shown);
  Reply once(const std::string& object, const std::string& method, const ojson& args, bool changes,
             const std::string& shown);

  HttpClient& m_http;
  const Deadline& m_deadline;
  std::string m_address;
  std::string m_url;
  std::string m_user;
  Secret m_password;
  std::string m_sid;  // ubus_rpc_session (secret)
  int m_logins = 0;
  int m_id = 0;
  std::chrono::milliseconds m_timeout{10000};
};

}  // namespace bw::openwrt
