// HttpClient: the only way plugins talk HTTP. Bodies are capped and every request ends
// by the deadline; a real implementation uses libcurl, tests use a fake.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/secret.hpp"

namespace bw {

class Deadline;

// How an https:// request decides to trust the box's certificate. The check is done during
// the TLS handshake: when it fails, nothing of the request (headers, body, password) is sent.
enum class TlsTrust {
  system,     // the system's CA store and the host name (what browsers do)
  ca,         // only the CA certificates in TlsOptions::ca_pem, and the host name
  pinned,     // any chain (self-signed boxes); the public key must match TlsOptions::pin
  first_use,  // trust on first use: resolved by the pinning client (pin_store.hpp) into
              // `pinned` when the box's key is on record, else `unverified` and then recorded
  unverified, // no check at all; the response tells the key (HttpResponse::peer_pin)
};

struct TlsOptions {
  TlsTrust trust = TlsTrust::system;
  std::string ca_pem;  // TlsTrust::ca: PEM text of the trusted CA certificate(s)
  std::string pin;     // TlsTrust::pinned: "sha256//" + base64 of SHA-256(DER SubjectPublicKeyInfo)
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  size_t max_response_bytes = 1 << 20;
  std::chrono::milliseconds timeout{5000};  // per request, also bounded by the deadline
  bool use_netrc = false;
  TlsOptions tls;  // https:// only
  // When set: the address to connect to (an IP literal), instead of resolving the URL's host.
  // The URL's host still goes in the TLS name check and the Host header: a box whose
  // certificate names a public domain is reached on its LAN address and verified for that name.
  std::string connect_to;
  // The request changes the box (a write). Under --dry-run it is not sent: `what` is written
  // down and `reply_when_not_sent` is the answer (the one the box gives when the change works).
  bool changes_box = false;
  std::string what;  // one line, no secret: "Firewall:deletePortForwarding {...}"
  std::string shown_url;  // the URL as a message may show it (empty: url), e.g. without a subscriber's name
  std::string reply_when_not_sent;
  // HTTP Digest authentication (RFC 7616, as TR-064 boxes ask): when digest_user is set, libcurl
  // answers the box's 401 challenge itself and the response is the final one. The password
  // stays in a Secret; it is never in a URL, a header of ours or a message.
  std::string digest_user;
  Secret digest_password;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::vector<std::string> headers;  // raw "Name: value" lines of the final response
  std::string peer_pin;  // https: "sha256//..." of the server's public key; empty for http
  std::string header(const std::string& name) const;  // first match, case-insensitive
};

// Why a request got no HTTP answer. Plugins use it to choose a transport (a Livebox that
// refuses plain HTTP speaks HTTPS).
enum class HttpFailure {
  refused,       // nothing listens on that port
  not_http,      // the connection closed or reset without an HTTP answer (e.g. a TLS port)
  timeout,
  untrusted,     // https: the certificate does not chain to the CA, or names another host
  key_changed,   // https: the public key differs from the pinned one (presented_pin says which)
  other,
};

// Error(unreachable) with the reason; exit status 3 like every unreachable box.
class HttpError : public Error {
 public:
  HttpError(HttpFailure failure, const std::string& message, std::string presented_pin = {})
      : Error(ErrorKind::unreachable, message), m_failure(failure), m_presented(std::move(presented_pin)) {}
  HttpFailure failure() const { return m_failure; }
  const std::string& presented_pin() const { return m_presented; }  // key_changed only; may be empty

 private:
  HttpFailure m_failure;
  std::string m_presented;
};

// The value of header `name` (case-insensitive) in raw "Name: value" lines; "" when absent.
std::string header_value(const std::vector<std::string>& headers, std::string_view name);

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // True while a --dry-run rehearses a change (net/recording_http_client.hpp): requests that
  // change the box are not sent, so reading the box after them shows no change.
  virtual bool rehearsing() const { return false; }
  // Throws HttpError (an Error(unreachable)) on connection failure, timeout or a refused
  // certificate, Error(protocol) when the body exceeds max_response_bytes.
  virtual HttpResponse perform(const HttpRequest& req, const Deadline& deadline) = 0;
};

// TlsTrust::first_use needs a pin store: this client refuses it (Error(usage)); wrap it with
// make_pinning_http_client (pin_store.hpp).
std::unique_ptr<HttpClient> make_curl_http_client();

}  // namespace bw
