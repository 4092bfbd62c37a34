// The Freebox plugin's glue: VendorPlugin and Session on top of freebox_api (transport,
// session, pairing), freebox_read (RouterState) and freebox_changes (one change each).
#include "vendors/freebox/freebox.hpp"

#include <thread>

#include <unistd.h>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"
#include "core/token_store.hpp"
#include "net/http_client.hpp"
#include "vendors/freebox/freebox_api.hpp"
#include "vendors/freebox/freebox_changes.hpp"
#include "vendors/freebox/freebox_vpn.hpp"
#include "vendors/freebox/freebox_read.hpp"

namespace bw {

namespace {

using namespace std::chrono_literals;
using freebox::ApiClient;
using nlohmann::json;

constexpr std::string_view k_id = "freebox";
constexpr auto k_pairing_time = 120s;  // the person walks to the box: not the run's --timeout

freebox::AppIdentity app_identity() {
  freebox::AppIdentity app;
  app.app_version = BOXWARDEN_VERSION;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) {
    app.device_name = printable(host, 60);
  }
  if (app.device_name.empty()) {
    app.device_name = "boxwarden";
  }
  return app;
}

freebox::Endpoint endpoint_of(const Target& target, SessionContext& ctx) {
  auto v = freebox::fingerprint(ctx.http, ctx.deadline, target.address, target.port, 5s);
  if (!v) {
    throw Error(ErrorKind::unsupported, "the box at " + target.address + " does not answer as a Freebox (/api_version)");
  }
  return freebox::Endpoint{target.address, target.port, *v, ctx.credentials.extra_ca_pem};
}

// The name of the box's token file: a hash of its uid, never the uid itself.
std::string box_key(const freebox::Endpoint& ep) {
  return freebox::short_id(ep.version.uid.empty() ? "address:" + ep.address : "uid:" + ep.version.uid);
}

const TokenStore& tokens_of(const SessionContext& ctx) {
  if (ctx.tokens == nullptr) {
    throw Error(ErrorKind::usage, "no place to keep the Freebox's app token; give --state-dir DIR");
  }
  return *ctx.tokens;
}

// Pairing with the person at the box; keeps the token. Returns it.
Secret run_pairing(const freebox::Endpoint& ep, SessionContext& ctx) {
  Deadline pairing(std::chrono::duration_cast<std::chrono::milliseconds>(k_pairing_time));
  ApiClient api(ctx.http, pairing, ep);
  Secret token = freebox::pair(api, app_identity(), pairing, [](std::chrono::milliseconds d) {
    std::this_thread::sleep_for(d);
  }, ctx.tell);
  tokens_of(ctx).save(k_id, box_key(ep), token);
  return token;
}

// One logged-in conversation with one Freebox; close() (also run by the destructor) logs out.
class FreeboxSession final : public Session {
 public:
  FreeboxSession(HttpClient& http, const Deadline& deadline, freebox::Endpoint ep) : m_api(http, deadline, std::move(ep)) {}
  ~FreeboxSession() override { close(); }
  FreeboxSession(const FreeboxSession&) = delete;
  FreeboxSession& operator=(const FreeboxSession&) = delete;

  void open(SessionContext& ctx) {
    const freebox::Endpoint& ep = m_api.endpoint();
    const TokenStore& store = tokens_of(ctx);
    std::optional<Secret> token = store.load(k_id, box_key(ep));
    if (!token) {
      if (!ctx.can_ask) {
        throw Error(ErrorKind::auth, "no app token for this Freebox: run `" + freebox::pair_command(ep.address) +
                                         "` at the box");
      }
      token = run_pairing(ep, ctx);
      if (ctx.deadline.remaining() < 5s) {
        // The wait at the box has its own 2 minutes; the run's --timeout may be over by now.
        throw Error(ErrorKind::unreachable, "paired with the Freebox (the app token is kept), but the --timeout "
                                            "ran out while waiting at the box: run the command again");
      }
    }
    if (!m_api.over_tls() && ctx.tell) {
      ctx.tell("warning: this Freebox offers no HTTPS: boxwarden's session token crosses the LAN in clear");
    }
    try {
      m_api.login(*token);
    } catch (const freebox::RevokedToken&) {
      store.forget(k_id, box_key(ep));
      throw Error(ErrorKind::auth, "the Freebox no longer accepts boxwarden's app token (revoked in Freebox OS, or "
                                   "the box was reset); it was forgotten: run `" + freebox::pair_command(ep.address) +
                                   "` at the box to pair again");
    }
  }

  RouterState read_state() override {
    RouterState s = freebox::read_router_state(m_api);
    const json& ra = s.vendor_data["freebox"].value("remote_access", json::object());
    if (auto p = freebox::get_int(ra, "remote_access_port"); p && *p > 0 && *p <= 65535) {
      m_remote_port = static_cast<uint16_t>(*p);
    }
    return s;
  }

  void apply(const Change& a) override {
    switch (a.kind) {
      case ChangeKind::delete_port_forward:
        freebox::delete_forward(m_api, forward_of(a));
        return;
      case ChangeKind::add_port_forward:
        freebox::add_forward(m_api, forward_of(a));
        return;
      case ChangeKind::disable_dmz:
        freebox::disable_dmz(m_api);
        return;
      case ChangeKind::restore_dmz:
        if (!a.dmz) {
          throw Error(ErrorKind::unsupported, "no saved DMZ to restore on the Freebox");
        }
        freebox::restore_dmz(m_api, *a.dmz);
        return;
      case ChangeKind::disable_upnp:
      case ChangeKind::enable_upnp:
        freebox::set_upnp(m_api, a.kind == ChangeKind::enable_upnp);
        return;
      case ChangeKind::disable_remote_admin:
      case ChangeKind::enable_remote_admin:
        freebox::set_remote_access(m_api, a.kind == ChangeKind::enable_remote_admin, m_remote_port);
        return;
      case ChangeKind::enable_vpn_server:
      case ChangeKind::disable_vpn_server:
        freebox::set_vpn_server(m_api, a.kind == ChangeKind::enable_vpn_server,
                                a.vpn ? a.vpn->port : static_cast<uint16_t>(0));
        return;
      case ChangeKind::add_vpn_peer:
        freebox::add_vpn_user(m_api, a.peer);
        return;
      case ChangeKind::delete_vpn_peer:
        freebox::delete_vpn_user(m_api, a.peer);
        return;
      case ChangeKind::enable_ipv6_firewall:
        freebox::set_ipv6_firewall(m_api, true);
        return;
      case ChangeKind::restore_ipv6_firewall:
        freebox::set_ipv6_firewall(m_api, freebox::ipv6_firewall_saved_on(a.ipv6_level));
        return;
      case ChangeKind::delete_pinhole:
      case ChangeKind::add_pinhole:  // the Freebox API has no per-host IPv6 rule
      case ChangeKind::manual:
        break;
    }
    throw Error(ErrorKind::unsupported,
                "the Freebox plugin cannot do this by itself: " + std::string(to_string(a.kind)));
  }

  Secret vpn_peer_config(const std::string& peer) override { return freebox::vpn_user_config(m_api, peer); }

  void close() override { m_api.logout(); }

 private:
  static const PortForward& forward_of(const Change& a) {
    if (!a.forward) {
      throw Error(ErrorKind::unsupported, "the change names no port forward");
    }
    return *a.forward;
  }

  ApiClient m_api;
  std::optional<uint16_t> m_remote_port;
};

class FreeboxPlugin final : public VendorPlugin {
 public:
  std::string_view id() const override { return k_id; }
  std::string_view display_name() const override { return "Free Freebox"; }
  std::string_view summary() const override {
    return tr("Freebox Server (Revolution, Mini 4K, Delta, Pop, Ultra) through the Freebox OS API, paired once at "
              "the box: every port forward, the DMZ, the UPnP IGD switch and mappings, remote access, the box's "
              "own WAN services, the IPv6 firewall");
  }
  Capabilities capabilities() const override {
    Capabilities c = 0;
    for (Capability k : {Capability::read_mappings, Capability::read_static_forwards, Capability::delete_forward,
                         Capability::add_forward, Capability::read_dmz, Capability::set_dmz,
                         Capability::read_upnp_switch, Capability::set_upnp_switch, Capability::read_remote_admin,
                         Capability::set_remote_admin, Capability::vpn_server, Capability::pairing,
                         Capability::read_ipv6_firewall, Capability::set_ipv6_firewall,
                         Capability::read_pinholes}) {
      c |= static_cast<uint32_t>(k);
    }
    return c;
  }

  bool matches(const Target& target, SessionContext& ctx) const override {
    try {
      return freebox::fingerprint(ctx.http, ctx.deadline, target.address, target.port, 5s).has_value();
    } catch (const Error&) {
      return false;
    }
  }

  std::unique_ptr<Session> open(const Target& target, SessionContext& ctx) const override {
    auto s = std::make_unique<FreeboxSession>(ctx.http, ctx.deadline, endpoint_of(target, ctx));
    s->open(ctx);
    return s;
  }

  bool pairs() const override { return true; }

  void pair(const Target& target, SessionContext& ctx) const override {
    freebox::Endpoint ep = endpoint_of(target, ctx);
    Secret token = run_pairing(ep, ctx);
    ApiClient api(ctx.http, ctx.deadline, ep);
    api.login(token);
    if (ctx.tell) {
      ctx.tell("paired: the Freebox gave boxwarden an app token, kept in " +
               tokens_of(ctx).path_for(k_id, box_key(ep)) + " (mode 0600)");
      if (!api.can_change_settings()) {
        ctx.tell("boxwarden can read this Freebox but not change it until you allow it: " +
                 std::string(freebox::k_settings_place));
      }
    }
    api.logout();
  }
};

}  // namespace

const VendorPlugin& freebox_plugin() {
  static const FreeboxPlugin plugin;
  return plugin;
}

}  // namespace bw
