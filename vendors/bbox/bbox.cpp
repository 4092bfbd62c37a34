// The Bbox plugin's glue: VendorPlugin and Session on top of bbox_api (transport, cookie,
// btoken), bbox_read (RouterState) and bbox_changes (one change each).
#include "vendors/bbox/bbox.hpp"

#include "core/credentials.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "net/http_client.hpp"
#include "vendors/bbox/bbox_api.hpp"
#include "vendors/bbox/bbox_changes.hpp"
#include "vendors/bbox/bbox_read.hpp"

namespace bw {

namespace {

using namespace std::chrono_literals;
using bbox::ApiClient;

constexpr std::string_view k_id = "bbox";

class BboxSession final : public Session {
 public:
  BboxSession(SessionContext& ctx, const Target& t)
      : m_api(ctx.http, ctx.deadline, t.address, t.port), m_address(t.address), m_port(t.port), m_tell(ctx.tell) {}
  ~BboxSession() override { close(); }
  BboxSession(const BboxSession&) = delete;
  BboxSession& operator=(const BboxSession&) = delete;

  void open(SessionContext& ctx) {
    auto fp = bbox::fingerprint(ctx.http, ctx.deadline, m_address, m_port, 5s);
    if (!fp) {
      throw Error(ErrorKind::unsupported, fill(tr("the box at {address} does not answer as a Bbox (/api/v1/device)"),
                                               {{"address", m_address}}));
    }
    m_anonymous = fp->device;
    Secret password = find_password(ctx.credentials, m_address, "admin", m_tell);
    if (password.empty()) {
      throw Error(ErrorKind::auth, tr("the Bbox needs its admin password (the one of its pages at "
                                      "http://mabbox.bytel.fr; at first, the one printed under the box): give it with "
                                      "--password-file FILE, BOXWARDEN_PASSWORD or ~/.netrc"));
    }
    if (ctx.tell) {
      ctx.tell(tr("warning: the Bbox serves its API over plain HTTP on the network: boxwarden's session cookie "
                  "crosses the LAN in clear"));
    }
    m_api.login(password);
  }

  RouterState read_state() override {
    RouterState s = bbox::read_router_state(m_api, m_anonymous);
    const json& extra = s.vendor_data["bbox"];
    if (extra.contains("remote_admin")) {
      m_remote = extra["remote_admin"];
    }
    return s;
  }

  void apply(const Change& a) override {
    switch (a.kind) {
      case ChangeKind::delete_port_forward:
        bbox::disable_forward(m_api, forward_of(a));
        return;
      case ChangeKind::add_port_forward:
        bbox::restore_forward(m_api, forward_of(a));
        return;
      case ChangeKind::disable_dmz:
        bbox::disable_dmz(m_api);
        return;
      case ChangeKind::restore_dmz:
        if (!a.dmz) {
          throw Error(ErrorKind::unsupported, tr("no saved DMZ to put back on the Bbox"));
        }
        bbox::restore_dmz(m_api, *a.dmz);
        return;
      case ChangeKind::disable_upnp:
      case ChangeKind::enable_upnp:
        bbox::set_upnp(m_api, a.kind == ChangeKind::enable_upnp);
        return;
      case ChangeKind::disable_remote_admin:
      case ChangeKind::enable_remote_admin:
        bbox::set_remote_admin(m_api, a.kind == ChangeKind::enable_remote_admin, m_remote);
        return;
      default:  // manual, the IPv6 firewall and pinholes (read only), and what a Bbox has not
        break;
    }
    throw Error(ErrorKind::unsupported, fill(tr("the Bbox plugin cannot do this by itself: {change}"),
                                             {{"change", to_string(a.kind)}}));
  }

  void close() override { m_api.logout(); }

 private:
  using json = nlohmann::json;

  static const PortForward& forward_of(const Change& a) {
    if (!a.forward) {
      throw Error(ErrorKind::unsupported, tr("the change names no port forward"));
    }
    return *a.forward;
  }

  ApiClient m_api;
  std::string m_address;
  uint16_t m_port = 0;
  std::function<void(const std::string&)> m_tell;
  std::optional<bbox::Device> m_anonymous;
  json m_remote = json::object();
};

class BboxPlugin final : public VendorPlugin {
 public:
  std::string_view id() const override { return k_id; }
  std::string_view display_name() const override { return "Bouygues Telecom Bbox"; }
  std::string_view summary() const override {
    return "Bbox (Sagemcom F@st 5330b, 5688b, 5696b and later) through its /api/v1 local API with the admin "
           "password: the port forwards (NAT/PAT), the DMZ, the UPnP IGD switch and its mappings, remote access, "
           "the IPv6 firewall and its rules (read only)";
  }
  Capabilities capabilities() const override {
    Capabilities c = 0;
    for (Capability k : {Capability::read_mappings, Capability::read_static_forwards, Capability::delete_forward,
                         Capability::add_forward, Capability::read_dmz, Capability::set_dmz,
                         Capability::read_upnp_switch, Capability::set_upnp_switch, Capability::read_remote_admin,
                         Capability::set_remote_admin, Capability::read_ipv6_firewall, Capability::read_pinholes}) {
      c |= static_cast<uint32_t>(k);
    }
    return c;
  }

  bool matches(const Target& target, SessionContext& ctx) const override {
    try {
      return bbox::fingerprint(ctx.http, ctx.deadline, target.address, target.port, 5s).has_value();
    } catch (const Error&) {
      return false;
    }
  }

  std::unique_ptr<Session> open(const Target& target, SessionContext& ctx) const override {
    auto s = std::make_unique<BboxSession>(ctx, target);
    s->open(ctx);
    return s;
  }
};

}  // namespace

const VendorPlugin& bbox_plugin() {
  static const BboxPlugin plugin;
  return plugin;
}

}  // namespace bw
