// Tr64Client: TR-064 (SOAP over HTTP, HTTP Digest) to one FRITZ!Box (fritzbox-tr064.md
// sections 1-4). Internal to the FRITZ!Box plugin; takes only an HttpClient, a Deadline and
// plain data.
//
// Contract:
// - The description (/tr64desc.xml) is read anonymously; every control URL comes from it,
//   never hard-coded. Plain HTTP on 49000 (or --gateway HOST:PORT); HTTPS on the port
//   DeviceInfo:GetSecurityPort gives, trusted on first use (TlsTrust::first_use), when the
//   box offers it and answers there.
// - call(): one SOAP action with HTTP Digest (libcurl answers the 401 challenge: the password
//   stays in a Secret). A final HTTP 401: Error(auth), wrong password or a user without the
//   "FRITZ!Box settings" right (both named, with the FRITZ!OS menu). Fault 606: Error(auth),
//   the right is missing. 866-868 (second factor): Error(auth), confirm on the box. Any other
//   fault: Error(refused) with the code and its name. Writes are HttpRequest::changes_box
//   (--dry-run writes them down: "Service#Action Arg=value ...").
// - Each request gets at most 10 s and at most what the deadline leaves; replies are capped
//   at 1 MiB. The password never appears in an Error, a shown URL or anything returned.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/secret.hpp"
#include "net/soap.hpp"
#include "vendors/fritzbox/fritzbox_parse.hpp"

namespace bw {
class HttpClient;
class Deadline;
}  // namespace bw

namespace bw::fritz {

constexpr uint16_t k_tr064_port = 49000;

using Args = std::vector<std::pair<std::string, std::string>>;

// GET /tr64desc.xml anonymously; nullopt when what answers is not a FRITZ!Box.
std::optional<Tr64Desc> fingerprint(HttpClient& http, const Deadline& deadline, const std::string& address,
                                    uint16_t port, std::chrono::milliseconds cap);

// The FRITZ!OS places a message names (English and German menu names).
std::string rights_place(const std::string& user);

class Tr64Client {
 public:
  Tr64Client(HttpClient& http, const Deadline& deadline, std::string address, uint16_t port, Tr64Desc desc);

  const Tr64Desc& desc() const { return m_desc; }
  const std::string& address() const { return m_address; }
  const std::string& user() const { return m_user; }
  bool https() const { return m_https; }
  bool rehearsing() const;
  HttpClient& http() const { return m_http; }
  const Deadline& deadline() const { return m_deadline; }
  bool offers(std::string_view service) const { return !m_desc.control_url(service).empty(); }

  void set_login(std::string user, Secret password);
  // DeviceInfo:GetSecurityPort (anonymous) and HTTPS there when it answers; false: plain HTTP.
  bool try_https();

  // One action; the reply as sent (fault_code set on a SOAP fault other than the ones that
  // throw). `anonymous`: no digest. Throws as the contract says, except for faults when
  // `faults_ok`.
  // `own_606`: a 606 fault is returned, not thrown (a delete refused for another device's share).
  soap::Reply request(std::string_view service, const std::string& action, const Args& args, std::string_view what,
                      bool write = false, bool anonymous = false, bool own_606 = false);
  // request() that also throws Error(refused) on any fault.
  Values call(std::string_view service, const std::string& action, const Args& args, std::string_view what,
              bool write = false);
  // GET PATH on the same server with digest (the host list file). nullopt on any non-200.
  std::optional<std::string> get_file(const std::string& path);

  // The error for fault `code` on `what` (auth for rights, refused otherwise).
  [[noreturn]] void throw_fault(const soap::Reply& r, std::string_view what) const;

 private:
  std::string base() const;

  HttpClient& m_http;
  const Deadline& m_deadline;
  std::string m_address;
  uint16_t m_port;
  Tr64Desc m_desc;
  std::string m_user;
  Secret m_password;
  bool m_https = false;
  uint16_t m_tls_port = 0;
};

}  // namespace bw::fritz
