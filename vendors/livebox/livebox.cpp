#include "vendors/livebox/livebox.hpp"


#include <functional>

#include "core/credentials.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"
#include "net/http_client.hpp"
#include "vendors/livebox/livebox_changes.hpp"
#include "vendors/livebox/livebox_ipv6_changes.hpp"
#include "vendors/livebox/livebox_read.hpp"
#include "vendors/livebox/livebox_ws.hpp"

namespace bw {

namespace {

using namespace std::chrono_literals;
using livebox::WsClient;

std::string base_url(const Target& t) {
  std::string url = "http://" + t.address;
  if (t.port != 0) {
    url += ":" + std::to_string(t.port);
  }
  return url;
}

// One logged-in conversation with one Livebox. Owns the session context and cookie;
// close() (also run by the destructor) logs out, best effort.
class LiveboxSession final : public Session {
 public:
  LiveboxSession(SessionContext& ctx, const Target& target)
      : m_ws(ctx.http, ctx.deadline, base_url(target)), m_address(target.address), m_tell(ctx.tell) {}
  ~LiveboxSession() override { close(); }
  LiveboxSession(const LiveboxSession&) = delete;
  LiveboxSession& operator=(const LiveboxSession&) = delete;

  // Anonymous fingerprint (refuses repeaters and other boxes), then login.
  void open(const Credentials& credentials) {
    try {
      livebox::WsReply r = m_ws.call_anonymous("DeviceInfo", "get", json::object());
      m_anonymous = livebox::parse_device_info(r.status);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::protocol) {
        throw;  // unreachable, or not a /ws box at all
      }
    }
    if (m_anonymous) {
      switch (livebox::classify(*m_anonymous)) {
        case livebox::Family::livebox:
          break;
        case livebox::Family::repeater:
          throw Error(ErrorKind::unsupported, fill(tr("this is an Orange Wi-Fi repeater ({model}), not a Livebox: not supported"),
                                                   {{"model", printable(m_anonymous->product_class)}}));
        case livebox::Family::other:
          throw Error(ErrorKind::unsupported,
                      fill(tr("this box calls itself '{model}', not a Livebox: the Livebox plugin does not support it"),
                           {{"model", printable(m_anonymous->product_class)}}));
      }
    }
    m_ws.login(credentials.user, password_for(credentials));
  }

  RouterState read_state() override {
    return livebox::read_router_state(m_ws, m_address, m_anonymous);
  }

  void apply(const Change& a) override {
    switch (a.kind) {
      case ChangeKind::delete_port_forward:
        livebox::delete_forward(m_ws, forward_of(a));
        return;
      case ChangeKind::add_port_forward:
        livebox::add_forward(m_ws, forward_of(a));
        return;
      case ChangeKind::disable_dmz:
        livebox::clear_dmz(m_ws);
        return;
      case ChangeKind::restore_dmz:
        if (!a.dmz) {
          throw Error(ErrorKind::unsupported, tr("no saved DMZ to restore on the Livebox"));
        }
        livebox::restore_dmz(m_ws, *a.dmz);
        return;
      case ChangeKind::disable_upnp:
      case ChangeKind::enable_upnp:
        livebox::set_upnp(m_ws, a.kind == ChangeKind::enable_upnp);
        return;
      case ChangeKind::disable_remote_admin:
      case ChangeKind::enable_remote_admin:
        livebox::set_remote_access(m_ws, a.kind == ChangeKind::enable_remote_admin);
        return;
      case ChangeKind::enable_ipv6_firewall:
        livebox::enable_ipv6_firewall(m_ws);
        return;
      case ChangeKind::restore_ipv6_firewall:
        livebox::set_ipv6_level(m_ws, a.ipv6_level);
        return;
      case ChangeKind::delete_pinhole:
        livebox::delete_pinhole(m_ws, pinhole_of(a));
        return;
      case ChangeKind::add_pinhole:
        livebox::add_pinhole(m_ws, pinhole_of(a));
        return;
      default:  // manual, and what a Livebox has not (its own VPN server)
        break;
    }
    throw Error(ErrorKind::unsupported,
                "the Livebox plugin cannot do this by itself: " + std::string(to_string(a.kind)));
  }

  void close() override { m_ws.logout(); }

 private:
  using json = nlohmann::json;

  // core/credentials.hpp: given, ~/.netrc, or asked.
  Secret password_for(const Credentials& c) const {
    Secret s = find_password(c, m_address, "admin", m_tell);
    if (s.empty()) {
      throw Error(ErrorKind::auth,
                  tr("the Livebox needs its admin password (printed under the box, or the one you set): "
                     "give it with --password-file FILE, BOXWARDEN_PASSWORD or ~/.netrc"));
    }
    return s;
  }

  static const PortForward& forward_of(const Change& a) {
    if (!a.forward) {
      throw Error(ErrorKind::unsupported, tr("the change names no port forward"));
    }
    return *a.forward;
  }

  static const Pinhole& pinhole_of(const Change& a) {
    if (!a.pinhole) {
      throw Error(ErrorKind::unsupported, tr("the change names no IPv6 pinhole"));
    }
    return *a.pinhole;
  }

  WsClient m_ws;
  std::string m_address;
  std::function<void(const std::string&)> m_tell;
  std::optional<livebox::DeviceInfo> m_anonymous;
};

class LiveboxPlugin final : public VendorPlugin {
 public:
  std::string_view id() const override { return "livebox"; }
  std::string_view display_name() const override { return "Orange Livebox"; }
  std::string_view summary() const override {
    return tr("Orange Livebox 3 (2017+ firmware) to 7, W7, S and Pro 6, through its /ws API: "
              "every port forward, the DMZ, the UPnP IGD switch, remote access, the IPv6 firewall "
              "level and every IPv6 pinhole");
  }
  Capabilities capabilities() const override {
    Capabilities c = 0;
    for (Capability k : {Capability::read_mappings, Capability::read_static_forwards,
                         Capability::delete_forward, Capability::add_forward, Capability::read_dmz,
                         Capability::set_dmz, Capability::read_upnp_switch,
                         Capability::set_upnp_switch, Capability::read_remote_admin,
                         Capability::set_remote_admin, Capability::read_ipv6_firewall,
                         Capability::set_ipv6_firewall, Capability::read_pinholes,
                         Capability::delete_pinhole, Capability::add_pinhole}) {
      c |= static_cast<uint32_t>(k);
    }
    return c;
  }

  bool matches(const Target& target, SessionContext& ctx) const override {
    try {
      WsClient ws(ctx.http, ctx.deadline, base_url(target));
      ws.set_request_timeout(5s);
      livebox::WsReply r = ws.call_anonymous("DeviceInfo", "get", nlohmann::json::object());
      auto info = livebox::parse_device_info(r.status);
      return info && livebox::classify(*info) == livebox::Family::livebox;
    } catch (const HttpError& e) {
      if (e.failure() == HttpFailure::key_changed) {
        throw;  // a changed certificate key is not "no Livebox here": say it
      }
      return false;
    } catch (const Error&) {
      return false;
    }
  }

  std::unique_ptr<Session> open(const Target& target, SessionContext& ctx) const override {
    auto s = std::make_unique<LiveboxSession>(ctx, target);
    s->open(ctx.credentials);
    return s;
  }
};

}  // namespace

const VendorPlugin& livebox_plugin() {
  static const LiveboxPlugin plugin;
  return plugin;
}

}  // namespace bw
