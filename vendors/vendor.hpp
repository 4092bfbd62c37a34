// The vendor plugin interface (STYLE.md section 4). A plugin is a stateless singleton
// that says who it is and opens a Session; a Session talks to one box. Plugins never
// print, never read profiles, and report what they cannot see as unknown.
#pragma once

#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/router_state.hpp"
#include "core/secret.hpp"
#include "core/change.hpp"
#include "core/credentials.hpp"

namespace bw {

class HttpClient;
class Deadline;

// Where the box is, found by discovery or named with --gateway.
struct Target {
  std::string address;       // IPv4 literal of the box on the LAN
  uint16_t port = 0;         // vendor API port when --gateway HOST:PORT gave one, else 0
  std::string igd_desc_url;  // UPnP root description, validated against `address`
};

struct SessionContext {
  HttpClient& http;  // for --dry-run, a client that does not send changes (net/recording_http_client.hpp)
  const Deadline& deadline;
  Credentials credentials;
  // What a plugin has to say to the person (a loose file, a button to press on the box):
  // plugins never print. May be empty.
  std::function<void(const std::string&)> tell;
};

class Session {
 public:
  virtual ~Session() = default;
  virtual RouterState read_state() = 0;
  // Makes one change (core/change.hpp); throws Error on failure (the executor undoes and
  // verifies). Under --dry-run the same code runs through an HttpClient that answers the
  // requests marked HttpRequest::changes_box instead of sending them (rehearsing() is true):
  // a plugin then skips the checks it makes by reading the box after a change.
  virtual void apply(const Change& change) = 0;
  // The box's own VPN server (Capability::vpn_server): the client configuration of the user
  // `peer` as the box gives it (wg-quick text holding the client's private key: a secret,
  // written to a 0600 file only). Throws Error(unsupported) on a box without one.
  virtual Secret vpn_peer_config(const std::string& peer);
  virtual void close() {}
};

class VendorPlugin {
 public:
  virtual ~VendorPlugin() = default;
  virtual std::string_view id() const = 0;
  virtual std::string_view display_name() const = 0;
  virtual std::string_view summary() const = 0;
  virtual Capabilities capabilities() const = 0;
  // Cheap anonymous check that the target is this plugin's kind of box.
  virtual bool matches(const Target& target, SessionContext& ctx) const = 0;
  virtual std::unique_ptr<Session> open(const Target& target, SessionContext& ctx) const = 0;
};

}  // namespace bw
