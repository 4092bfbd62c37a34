// Trust on first use for boxes with self-signed certificates. The first HTTPS connection
// to HOST:PORT records the SHA-256 of the certificate's public key (SPKI) in
// <state-dir>/pins/HOST_PORT (dir 0700, file 0600, written atomically); later connections
// require that key, checked in the TLS handshake before anything is sent. A changed key is
// refused (HttpError key_changed, exit 3) with a message naming the command that forgets
// the old key (`boxwarden forget-certificate HOST[:PORT]`).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/http_client.hpp"

namespace bw {

// "sha256//" + base64(SHA-256(DER SubjectPublicKeyInfo)) of the first certificate in `pem`
// (the form of curl's CURLOPT_PINNEDPUBLICKEY); empty when `pem` holds no certificate.
std::string spki_pin_of_certificate(const std::string& pem);
bool is_spki_pin(const std::string& text);

class PinStore {
 public:
  explicit PinStore(std::string dir);  // usually <state-dir>/pins
  const std::string& dir() const { return m_dir; }

  // <dir>/HOST_PORT. Throws Error(usage) for a host that is not a plain name or address.
  std::string path_for(const std::string& host, uint16_t port) const;
  // The recorded pin; nullopt when none. Throws Error(usage) when the file is damaged.
  std::optional<std::string> load(const std::string& host, uint16_t port) const;
  void save(const std::string& host, uint16_t port, const std::string& pin) const;
  // Removes the pin of HOST:PORT, or of every port of HOST; returns the files removed.
  std::vector<std::string> forget(const std::string& host, std::optional<uint16_t> port) const;

 private:
  std::string m_dir;
};

struct PinningOptions {
  // The command a person runs to accept a new key, e.g. "boxwarden --state-dir D"; the
  // error message appends " forget-certificate HOST:PORT".
  std::string command = "boxwarden";
  // Told once when a key is recorded (first use); may be empty.
  std::function<void(const std::string& message)> notify;
};

// Wraps `inner`: requests with TlsTrust::first_use are sent `pinned` to the recorded key,
// or `unverified` when there is none yet, and then the key they met is recorded. Every
// other request passes through unchanged.
std::unique_ptr<HttpClient> make_pinning_http_client(std::unique_ptr<HttpClient> inner, PinStore store,
                                                     PinningOptions options = {});

}  // namespace bw
