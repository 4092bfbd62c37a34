#include "net/pin_store.hpp"

#include <cerrno>
#include <cctype>
#include <cstring>
#include <filesystem>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "core/atomic_file.hpp"
#include "core/deadline.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"

namespace bw {

namespace fs = std::filesystem;

std::string spki_pin_of_certificate(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) {
    return {};
  }
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) {
    return {};
  }
  unsigned char* der = nullptr;
  int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
  X509_free(cert);
  if (len <= 0) {
    return {};
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<size_t>(len), digest);
  OPENSSL_free(der);
  unsigned char b64[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
  int n = EVP_EncodeBlock(b64, digest, SHA256_DIGEST_LENGTH);
  return "sha256//" + std::string(reinterpret_cast<char*>(b64), static_cast<size_t>(n));
}

bool is_spki_pin(const std::string& text) {
  if (text.size() != 8 + 44 || text.rfind("sha256//", 0) != 0 || text.back() != '=') {
    return false;
  }
  for (size_t i = 8; i + 1 < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (!std::isalnum(c) && c != '+' && c != '/') {
      return false;
    }
  }
  return true;
}

PinStore::PinStore(std::string dir) : m_dir(std::move(dir)) {}

std::string PinStore::path_for(const std::string& host, uint16_t port) const {
  if (m_dir.empty()) {
    throw Error(ErrorKind::usage, tr("no place to keep pinned certificate keys (neither XDG_STATE_HOME nor HOME "
                                     "is set); give --state-dir DIR"));
  }
  // IPv4 addresses and host names as they are; an IPv6 literal's ':' become '+'. Nothing
  // else, so that a name can never leave the directory or hide a file.
  std::string name = host;
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);
  }
  bool ok = !name.empty() && name.size() <= 253 && std::isalnum(static_cast<unsigned char>(name[0]));
  for (char& c : name) {
    if (c == ':') {
      c = '+';
    } else if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') {
      ok = false;
    }
  }
  if (!ok) {
    throw Error(ErrorKind::usage, "'" + printable(host, 80) + "' is not a host name or address");
  }
  return m_dir + "/" + name + "_" + std::to_string(port);
}

std::optional<std::string> PinStore::load(const std::string& host, uint16_t port) const {
  std::string path = path_for(host, port);
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return std::nullopt;
  }
  std::string text = read_file(path, 4096);
  std::string pin = text.substr(0, text.find('\n'));
  if (!is_spki_pin(pin)) {
    throw Error(ErrorKind::usage, "the pinned certificate key in " + path +
                                      " is damaged; remove it with: boxwarden forget-certificate " +
                                      host + ":" + std::to_string(port));
  }
  return pin;
}

void PinStore::save(const std::string& host, uint16_t port, const std::string& pin) const {
  if (!is_spki_pin(pin)) {
    throw Error(ErrorKind::protocol, "internal: not a certificate key pin");
  }
  std::string path = path_for(host, port);
  make_private_dir(fs::path(m_dir).parent_path().string(), false);
  make_private_dir(m_dir);
  AtomicFile f(path, 0600);
  f.write(pin + "\n");
  f.commit();
}

std::vector<std::string> PinStore::forget(const std::string& host, std::optional<uint16_t> port) const {
  std::vector<std::string> removed;
  std::vector<std::string> candidates;
  if (port) {
    candidates.push_back(path_for(host, *port));
  } else {
    std::string prefix = path_for(host, 0);
    prefix.pop_back();  // "<dir>/HOST_"
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(m_dir, ec)) {
      std::string p = e.path().string();
      std::string rest = p.size() > prefix.size() && p.rfind(prefix, 0) == 0 ? p.substr(prefix.size()) : "";
      if (!rest.empty() && rest.size() <= 5 &&
          rest.find_first_not_of("0123456789") == std::string::npos) {
        candidates.push_back(p);
      }
    }
  }
  for (const std::string& p : candidates) {
    std::error_code ec;
    if (fs::remove(p, ec)) {
      removed.push_back(p);
    } else if (ec) {
      throw Error(ErrorKind::usage, "cannot remove " + p + ": " + ec.message());
    }
  }
  return removed;
}

namespace {

struct HostPort {
  std::string host;
  uint16_t port = 443;
};

// https://HOST[:PORT][/...]; HOST may be an [IPv6] literal.
HostPort https_host_port(const std::string& url) {
  HostPort hp;
  std::string rest = url.substr(8);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  size_t colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find(']', colon) == std::string::npos) {
    std::string digits = rest.substr(colon + 1);
    long p = digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos
                 ? -1
                 : std::stol(digits);
    if (p < 1 || p > 65535) {
      throw Error(ErrorKind::usage, "bad port in " + printable(url, 200));
    }
    hp.port = static_cast<uint16_t>(p);
    rest = rest.substr(0, colon);
  }
  hp.host = rest;
  return hp;
}

class PinningHttpClient final : public HttpClient {
 public:
  PinningHttpClient(std::unique_ptr<HttpClient> inner, PinStore store, PinningOptions options)
      : m_inner(std::move(inner)), m_store(std::move(store)), m_options(std::move(options)) {}

  HttpResponse perform(const HttpRequest& req, const Deadline& deadline) override {
    if (req.tls.trust != TlsTrust::first_use) {
      return m_inner->perform(req, deadline);
    }
    if (req.url.size() < 8 || strncasecmp(req.url.c_str(), "https://", 8) != 0) {
      HttpRequest plain = req;
      plain.tls = {};
      return m_inner->perform(plain, deadline);
    }
    HostPort hp = https_host_port(req.url);
    std::string where = hp.host + ":" + std::to_string(hp.port);
    std::optional<std::string> pin = m_store.load(hp.host, hp.port);
    HttpRequest r = req;
    if (pin) {
      r.tls = {TlsTrust::pinned, "", *pin};
      try {
        return m_inner->perform(r, deadline);
      } catch (const HttpError& e) {
        if (e.failure() != HttpFailure::key_changed) {
          throw;
        }
        // One line, under the 500 characters the command line shows of an error.
        std::string accept = m_options.command + " forget-certificate " + where;
        throw HttpError(HttpFailure::key_changed,
                        e.presented_pin().empty()
                            ? fill(tr("the box at {box} shows a different certificate key than the one pinned on first "
                                      "use; nothing was sent to it. If the box was reset, replaced or renewed its "
                                      "certificate, accept the new key with: {command}; if not, someone may be "
                                      "intercepting the connection"),
                                   {{"box", where}, {"command", accept}})
                            : fill(tr("the box at {box} shows a different certificate key ({key}) than the one pinned "
                                      "on first use; nothing was sent to it. If the box was reset, replaced or renewed "
                                      "its certificate, accept the new key with: {command}; if not, someone may be "
                                      "intercepting the connection"),
                                   {{"box", where}, {"key", e.presented_pin()}, {"command", accept}}),
                        e.presented_pin());
      }
    }
    r.tls = {TlsTrust::unverified, "", ""};
    HttpResponse resp = m_inner->perform(r, deadline);
    if (!is_spki_pin(resp.peer_pin)) {
      throw HttpError(HttpFailure::untrusted,
                      fill(tr("cannot read the public key of the certificate of the box at {box}, so it cannot be "
                              "pinned; refusing to go on"),
                           {{"box", where}}));
    }
    m_store.save(hp.host, hp.port, resp.peer_pin);
    if (m_options.notify) {
      m_options.notify("first HTTPS connection to " + where + ": its certificate key " + resp.peer_pin +
                       " is now pinned in " + m_store.path_for(hp.host, hp.port) +
                       "; a different key will be refused");
    }
    return resp;
  }

 private:
  std::unique_ptr<HttpClient> m_inner;
  PinStore m_store;
  PinningOptions m_options;
};

}  // namespace

std::unique_ptr<HttpClient> make_pinning_http_client(std::unique_ptr<HttpClient> inner, PinStore store,
                                                     PinningOptions options) {
  return std::make_unique<PinningHttpClient>(std::move(inner), std::move(store), std::move(options));
}

}  // namespace bw
