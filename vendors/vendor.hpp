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

class TokenStore;

struct SessionContext {
  SessionContext(HttpClient& h, const Deadline& d, Credentials c = {})
      : http(h), deadline(d), credentials(std::move(c)) {}

  HttpClient& http;
  const Deadline& deadline;
  Credentials credentials;
  // Where app tokens given by a box at pairing are kept (core/token_store.hpp); null: none
  // can be kept, so a box that needs one cannot be used.
  const TokenStore* tokens = nullptr;
  // Tells the person something they must do or know now ("press the arrow on the box");
  // plugins never print. May be empty.
  std::function<void(const std::string&)> tell;
  // Whether a person can be asked to act and waited for (stdin and stderr are terminals: the
  // same condition as the password prompt). Without one, a plugin that needs the person
  // fails with the command to run instead of waiting.
  bool can_ask = false;
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
  // Boxes that authorise an app once, with a person at the box (`boxwarden pair`): pair()
  // asks for that authorisation, tells the person what to do (ctx.tell), waits, and keeps
  // what the box gave in ctx.tokens. Throws Error(auth) when refused or not done in time.
  virtual bool pairs() const { return false; }
  virtual void pair(const Target&, SessionContext&) const {}
};

}  // namespace bw
