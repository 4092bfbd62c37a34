// libcurl implementation of HttpClient: bounded time (the smaller of the request's timeout
// and what is left of the deadline), bounded size (the transfer is aborted past the cap),
// no redirects, http only unless the URL says https, no proxy from the environment.
// TLS: the request's TlsOptions decide the trust (http_client.hpp); the key check is
// libcurl's CURLOPT_PINNEDPUBLICKEY, done in the handshake before anything is sent, and
// the key of every https answer is reported from CURLINFO_CERTINFO.
// Signals (core/interrupt.hpp): while the box is being changed, a signal abandons a request
// that has not been sent yet (connecting, TLS handshake: the box got nothing). A request that
// has left is let finish, within its timeout: its answer says whether the change was made,
// and a box that applies a change late would otherwise make it after the undo has looked.
#include <cstring>
#include <mutex>

#include <curl/curl.h>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/interrupt.hpp"
#include "core/text.hpp"
#include "net/http_client.hpp"
#include "net/pin_store.hpp"
#include "net/url.hpp"

namespace bw {

std::string header_value(const std::vector<std::string>& headers, std::string_view name) {
  for (const auto& line : headers) {
    if (line.size() > name.size() && line[name.size()] == ':' &&
        strncasecmp(line.c_str(), name.data(), name.size()) == 0) {
      size_t start = line.find_first_not_of(" \t", name.size() + 1);
      if (start == std::string::npos) {
        return "";
      }
      size_t end = line.find_last_not_of(" \t\r\n");
      return line.substr(start, end + 1 - start);
    }
  }
  return "";
}

std::string HttpResponse::header(const std::string& name) const {
  return header_value(headers, name);
}

namespace {

struct Transfer {
  HttpResponse* response;
  size_t cap;
  bool too_big = false;
  bool sent = false;  // the request left (CURLOPT_PREREQFUNCTION said yes)
};

// Right before the request is sent, on a connection made or reused.
int on_prereq(void* user, char*, char*, int, int) {
  auto* t = static_cast<Transfer*>(user);
  if (interrupt::stop_requested()) {
    return CURL_PREREQFUNC_ABORT;
  }
  t->sent = true;
  return CURL_PREREQFUNC_OK;
}

// Called about once a second at least: abandons a request not sent yet after a signal.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  return !t->sent && interrupt::stop_requested() ? 1 : 0;
}

size_t on_body(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nmemb;
  if (t->response->body.size() + n > t->cap) {
    t->too_big = true;
    return 0;  // aborts the transfer
  }
  t->response->body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nmemb;
  std::string line(data, n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) {
    line.pop_back();
  }
  if (line.rfind("HTTP/", 0) == 0) {
    t->response->headers.clear();  // a new response (after 100-continue)
  } else if (!line.empty() && t->response->headers.size() < 100) {
    t->response->headers.push_back(line);
  }
  return n;
}

// URLs come from the box (SSDP LOCATION, controlURL): a path may carry terminal escapes, and
// error messages go to a terminal (found by tests/lab/hostile_suite.py, case ctl-escape).
std::string shown_url(const HttpRequest& req) {
  return printable(req.url, 200);
}

// The box's address in a URL, for sentences that say what happened in words ("the box at
// 192.168.1.1 did not answer in time"), not as a URL.
std::string shown_host(const HttpRequest& req) {
  auto parts = parse_url(req.url);
  return parts ? printable(parts->host, 100) : shown_url(req);
}

bool is_https(const std::string& url) {
  return url.size() >= 8 && strncasecmp(url.c_str(), "https://", 8) == 0;
}

// The leaf certificate's key, as "sha256//...", from CURLINFO_CERTINFO; empty when unknown.
std::string leaf_pin(CURL* curl) {
  curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_CERTINFO, &info) != CURLE_OK || info == nullptr ||
      info->num_of_certs < 1) {
    return {};
  }
  for (curl_slist* s = info->certinfo[0]; s != nullptr; s = s->next) {
    if (std::strncmp(s->data, "Cert:", 5) == 0) {
      return spki_pin_of_certificate(s->data + 5);
    }
  }
  return {};
}

void set_tls(CURL* curl, const TlsOptions& tls) {
  curl_easy_setopt(curl, CURLOPT_CERTINFO, 1L);
  switch (tls.trust) {
    case TlsTrust::system:
      return;
    case TlsTrust::ca: {
      // Only the given roots: no system bundle, no system directory.
      curl_blob blob{const_cast<char*>(tls.ca_pem.data()), tls.ca_pem.size(), CURL_BLOB_COPY};
      curl_easy_setopt(curl, CURLOPT_CAINFO, nullptr);
      curl_easy_setopt(curl, CURLOPT_CAPATH, nullptr);
      curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &blob);
      return;
    }
    case TlsTrust::pinned:
      if (tls.pin.rfind("sha256//", 0) != 0 || tls.pin.size() < 9) {
        throw Error(ErrorKind::usage, "internal: a pinned request without a sha256// key");
      }
      curl_easy_setopt(curl, CURLOPT_PINNEDPUBLICKEY, tls.pin.c_str());
      [[fallthrough]];
    case TlsTrust::unverified:
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
      return;
    case TlsTrust::first_use:
      throw Error(ErrorKind::usage, "internal: trust on first use needs the pin store");
  }
}

HttpFailure failure_of(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_CONNECT:
      return HttpFailure::refused;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return HttpFailure::not_http;
    case CURLE_OPERATION_TIMEDOUT:
      return HttpFailure::timeout;
    case CURLE_PEER_FAILED_VERIFICATION:
      return HttpFailure::untrusted;
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return HttpFailure::key_changed;
    default:
      return HttpFailure::other;
  }
}

class CurlHttpClient : public HttpClient {
 public:
  CurlHttpClient() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  HttpResponse perform(const HttpRequest& req, const Deadline& deadline) override {
    auto budget = deadline.slice(req.timeout);
    if (budget.count() <= 0) {
      throw Error(ErrorKind::unreachable,
                  fill(tr("the time given by --timeout ran out before boxwarden could ask the box at {host}; try "
                          "again with a longer --timeout (e.g. --timeout 120)"),
                       {{"host", shown_host(req)}}));
    }
    CURL* curl = curl_easy_init();
    if (!curl) {
      throw Error(ErrorKind::unreachable, "cannot initialise libcurl");
    }
    HttpResponse response;
    Transfer transfer{&response, req.max_response_bytes};
    curl_slist* headers = nullptr;
    for (const auto& h : req.headers) {
      headers = curl_slist_append(headers, h.c_str());
    }
    curl_slist* connect_to = nullptr;
    if (!req.connect_to.empty()) {
      // "::ADDRESS:": any host and port of the URL go to ADDRESS, same port.
      bool v6 = req.connect_to.find(':') != std::string::npos;
      std::string entry = "::" + (v6 ? "[" + req.connect_to + "]" : req.connect_to) + ":";
      connect_to = curl_slist_append(connect_to, entry.c_str());
      curl_easy_setopt(curl, CURLOPT_CONNECT_TO, connect_to);
    }
    curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");  // never through a proxy from the environment
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(budget.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(budget.count()));
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(req.max_response_bytes));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(curl, CURLOPT_PREREQDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "boxwarden/" BOXWARDEN_VERSION);
    bool https = is_https(req.url);
    if (https) {
      try {
        set_tls(curl, req.tls);
      } catch (...) {
        curl_slist_free_all(headers);
        curl_slist_free_all(connect_to);
        curl_easy_cleanup(curl);
        throw;
      }
    }
    if (!req.digest_user.empty()) {
      curl_easy_setopt(curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_DIGEST));
      curl_easy_setopt(curl, CURLOPT_USERNAME, req.digest_user.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, req.digest_password.reveal().c_str());
    }
    if (req.use_netrc) {
      curl_easy_setopt(curl, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_OPTIONAL));
    }
    if (req.method == "POST" || (req.method != "GET" && !req.body.empty())) {
      // A body goes as POST data; another verb with a body (PUT) keeps it and changes the verb.
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req.body.c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(req.body.size()));
    }
    if (req.method != "GET" && req.method != "POST") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    if (https) {
      response.peer_pin = leaf_pin(curl);  // also filled when the pin did not match
    }
    curl_slist_free_all(headers);
    curl_slist_free_all(connect_to);
    curl_easy_cleanup(curl);
    if (transfer.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
      throw Error(ErrorKind::protocol, "the box sent more than " +
                                           std::to_string(req.max_response_bytes) +
                                           " bytes for " + shown_url(req) + "; refusing it");
    }
    if (rc == CURLE_ABORTED_BY_CALLBACK && !transfer.too_big) {
      throw HttpError(HttpFailure::other, "interrupted before anything was sent to " + shown_url(req));
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      throw HttpError(HttpFailure::timeout,
                      fill(tr("the box at {host} did not answer in time (it may be busy or restarting); try again "
                              "in a minute, or with a longer --timeout"),
                           {{"host", shown_host(req)}}));
    }
    if (rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH) {
      throw HttpError(HttpFailure::key_changed,
                      shown_url(req) + " shows another public key than the one expected (" +
                          req.tls.pin + "); nothing was sent",
                      response.peer_pin);
    }
    if (rc == CURLE_PEER_FAILED_VERIFICATION) {
      throw HttpError(HttpFailure::untrusted,
                      shown_url(req) + " shows a certificate that " +
                          (req.tls.trust == TlsTrust::ca ? "the box maker's CA did not sign"
                                                         : "no trusted CA signed") +
                          ", or one made for another name; nothing was sent (" +
                          curl_easy_strerror(rc) + ")");
    }
    if (rc != CURLE_OK) {
      throw HttpError(failure_of(rc), std::string("cannot reach ") + shown_url(req) + ": " +
                                          curl_easy_strerror(rc));
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<HttpClient> make_curl_http_client() {
  return std::make_unique<CurlHttpClient>();
}

}  // namespace bw
