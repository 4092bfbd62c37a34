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
#include "plan/action.hpp"

namespace bw {

class HttpClient;
class Deadline;

// What a plugin can read and change. The planner turns what it cannot change into a
// manual step; the report turns what it cannot read into "unknown".
enum class Capability : uint32_t {
  read_mappings = 1u << 0,        // UPnP-created mappings
  read_static_forwards = 1u << 1, // forwards made in the box's web UI
  delete_forward = 1u << 2,
  add_forward = 1u << 3,          // needed to restore a deleted forward
  read_dmz = 1u << 4,
  set_dmz = 1u << 5,
  read_upnp_switch = 1u << 6,
  set_upnp_switch = 1u << 7,
  read_remote_admin = 1u << 8,
  set_remote_admin = 1u << 9,
  vpn_server = 1u << 10,          // the box runs its own VPN server (Freebox)
};
using Capabilities = uint32_t;
constexpr bool has(Capabilities set, Capability c) {
  return (set & static_cast<uint32_t>(c)) != 0;
}
std::vector<std::string> capability_names(Capabilities set);

// Where the box is, found by discovery or named with --gateway.
struct Target {
  std::string address;       // IPv4 literal of the box on the LAN
  uint16_t port = 0;         // vendor API port when --gateway HOST:PORT gave one, else 0
  std::string igd_desc_url;  // UPnP root description, validated against `address`
};

struct Credentials {
  std::string user;  // empty: the plugin's default admin user
  Secret password;   // from --password-file or BOXWARDEN_PASSWORD; empty when none was given
  bool use_netrc = true;  // ~/.netrc (machine = box address) may hold the password
  // Asks the person at the terminal (no echo) when a plugin needs a password and none was
  // given; returns an empty Secret when there is no terminal. May be empty.
  std::function<Secret()> ask_password;
  // PEM text of CA certificates to trust besides a plugin's own roots (--ca-file,
  // BOXWARDEN_CA_FILE): for tests and unusual setups. Empty when none was given.
  std::string extra_ca_pem;
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
  // Applies one action; throws Error on failure (the executor undoes and verifies).
  virtual void apply(const Action& action) = 0;
  // The requests apply() would send, for --dry-run (no secrets).
  virtual std::vector<std::string> describe(const Action& action) const = 0;
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
