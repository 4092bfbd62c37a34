// The OpenWrt plugin's glue: VendorPlugin and Session on top of openwrt_api (ubus JSON-RPC and
// the rpcd session), openwrt_read (RouterState) and openwrt_changes (UCI with apply-with-rollback).
#include "vendors/openwrt/openwrt.hpp"

#include "core/credentials.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/deadline.hpp"
#include "net/http_client.hpp"
#include "vendors/registry.hpp"
#include "vendors/openwrt/openwrt_api.hpp"
#include "vendors/openwrt/openwrt_changes.hpp"
#include "vendors/openwrt/openwrt_read.hpp"

#include <thread>

namespace bw {

namespace {

using namespace std::chrono_literals;

constexpr std::string_view k_owrt_id = "openwrt";

class OpenwrtSession final : public Session {
 public:
  OpenwrtSession(SessionContext& ctx, const Target& t) : m_ctx(ctx), m_api(ctx.http, ctx.deadline, t.address, t.port), m_address(t.address), m_port(t.port) {}
  ~OpenwrtSession() override { close(); }
  OpenwrtSession(const OpenwrtSession&) = delete;
  OpenwrtSession& operator=(const OpenwrtSession&) = delete;

  void open(SessionContext& ctx) {
    if (!openwrt::fingerprint(ctx.http, ctx.deadline, m_address, m_port, 5s)) {
      throw Error(ErrorKind::unsupported,
                  fill(tr("the box at {address} does not answer as an OpenWrt router (ubus JSON-RPC at /ubus)"),
                       {{"address", m_address}}));
    }
    std::string user = ctx.credentials.user.empty() ? "root" : ctx.credentials.user;
    Secret password = find_password(ctx.credentials, m_address, user, ctx.tell);
    if (password.empty()) {
      throw Error(ErrorKind::auth, tr("the OpenWrt router needs the password of its rpcd user (root's, or that of the "
                                      "user whose rights boxwarden's ACL sets): give it with --password-file FILE, "
                                      "BOXWARDEN_PASSWORD or ~/.netrc"));
    }
    if (ctx.tell) {
      ctx.tell(tr("warning: boxwarden talks to the router's ubus over plain HTTP: the rpcd session id crosses the LAN "
                  "in clear"));
    }
    m_api.login(user, password);
  }

  RouterState read_state() override { return openwrt::read_router_state(m_api); }

  void apply(const Change& a) override {
    switch (a.kind) {
      case ChangeKind::delete_port_forward:
      case ChangeKind::add_port_forward:
        if (a.forward && !a.forward->vendor_data.contains("openwrt")) {
          through_igd(a);  // a UPnP mapping (the generic plugin's), routed here when its IGD was off
        } else if (a.kind == ChangeKind::delete_port_forward) {
          openwrt::disable_forward(m_api, forward_of(a));
        } else {
          openwrt::restore_forward(m_api, forward_of(a));
        }
        return;
      case ChangeKind::disable_dmz:
        if (a.dmz) {
          openwrt::disable_exposed_host(m_api, *a.dmz);
          return;
        }
        break;
      case ChangeKind::restore_dmz:
        if (a.dmz) {
          openwrt::restore_exposed_host(m_api, *a.dmz);
          return;
        }
        break;
      case ChangeKind::disable_upnp:
      case ChangeKind::enable_upnp:
        openwrt::set_upnp(m_api, a.kind == ChangeKind::enable_upnp);
        return;
      case ChangeKind::disable_remote_admin:
      case ChangeKind::enable_remote_admin:
        openwrt::set_remote_admin(m_api, a.kind == ChangeKind::enable_remote_admin);
        return;
      default:  // zones, IPv6 pinholes (read only), what OpenWrt has not
        break;
    }
    throw Error(ErrorKind::unsupported, fill(tr("the OpenWrt plugin cannot do this by itself: {change}"),
                                             {{"change", to_string(a.kind)}}));
  }

  void close() override { m_api.destroy(); }

 private:
  static const PortForward& forward_of(const Change& a) {
    if (!a.forward) {
      throw Error(ErrorKind::unsupported, tr("the change names no port forward"));
    }
    return *a.forward;
  }

  // A UPnP mapping lives in miniupnpd, not in UCI: it is changed through the router's own IGD
  // (the generic plugin, on miniupnpd's description), which may be starting again after upnpd
  // was switched back on (up to 15 s).
  void through_igd(const Change& a) {
    const VendorPlugin* igd = find_plugin("upnp-igd");
    if (igd == nullptr) {
      throw Error(ErrorKind::unsupported, tr("a UPnP mapping is changed through the router's IGD, and this build has no "
                                             "UPnP plugin"));
    }
    auto until = std::chrono::steady_clock::now() + 15s;
    for (;;) {
      try {
        std::unique_ptr<Session> s = igd->open(Target{m_address, 0, ""}, m_ctx);
        s->apply(a);
        s->close();
        return;
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::unreachable || std::chrono::steady_clock::now() > until ||
            m_ctx.deadline.remaining() < 2s) {
          throw;
        }
      }
      std::this_thread::sleep_for(500ms);
    }
  }

  SessionContext& m_ctx;
  openwrt::Ubus m_api;
  std::string m_address;
  uint16_t m_port = 0;
};

class OpenwrtPlugin final : public VendorPlugin {
 public:
  std::string_view id() const override { return k_owrt_id; }
  std::string_view display_name() const override { return "OpenWrt"; }
  std::string_view summary() const override {
    return "OpenWrt (18.06 to 24.10, with LuCI's uhttpd-mod-ubus) through ubus JSON-RPC and rpcd with a user and "
           "password (boxwarden-acl.json gives the least rights): UCI firewall redirects, the exposed host, rules "
           "opening the router to the WAN, zones, upnpd, WireGuard (read only), IPv6 rules (read only); changes "
           "through UCI with OpenWrt's apply-with-rollback";
  }
  Capabilities capabilities() const override {
    Capabilities c = 0;
    for (Capability k : {Capability::read_static_forwards, Capability::delete_forward, Capability::add_forward,
                         Capability::read_dmz, Capability::set_dmz, Capability::read_upnp_switch,
                         Capability::set_upnp_switch, Capability::read_remote_admin, Capability::set_remote_admin,
                         Capability::read_ipv6_firewall, Capability::read_pinholes}) {
      c |= static_cast<uint32_t>(k);
    }
    return c;
  }

  bool matches(const Target& target, SessionContext& ctx) const override {
    try {
      return openwrt::fingerprint(ctx.http, ctx.deadline, target.address, target.port, 5s);
    } catch (const Error&) {
      return false;
    }
  }

  std::unique_ptr<Session> open(const Target& target, SessionContext& ctx) const override {
    auto s = std::make_unique<OpenwrtSession>(ctx, target);
    s->open(ctx);
    return s;
  }
};

}  // namespace

const VendorPlugin& openwrt_plugin() {
  static const OpenwrtPlugin plugin;
  return plugin;
}

}  // namespace bw
