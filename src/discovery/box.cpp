#include "discovery/box.hpp"

#include <algorithm>
#include <exception>
#include <optional>

#include "core/error.hpp"
#include "net/recording_http_client.hpp"

namespace bw {

namespace {

void add_unique(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& s : from) {
    if (std::find(to.begin(), to.end(), s) == to.end()) {
      to.push_back(s);
    }
  }
}

}  // namespace

void merge_state(RouterState& base, const RouterState& extra) {
  add_unique(base.apis, extra.apis);
  if (base.external_ip.empty()) {
    base.external_ip = extra.external_ip;
  }
  if (base.box_identity.empty()) {
    base.box_identity = extra.box_identity;  // the vendor's own API first (it comes first)
  }
  if (base.model.empty()) {
    base.model = extra.model;
    base.firmware = extra.firmware;
  }
  base.static_forwards_known = base.static_forwards_known || extra.static_forwards_known;
  if (!base.dmz) {
    base.dmz = extra.dmz;
  }
  if (!base.upnp_igd_enabled) {
    base.upnp_igd_enabled = extra.upnp_igd_enabled;
  }
  if (!base.remote_admin_enabled) {
    base.remote_admin_enabled = extra.remote_admin_enabled;
  }
  // Each plugin keeps what it needs to undo a change under keys of its own: all are kept.
  if (extra.vendor_data.is_object()) {
    if (!base.vendor_data.is_object()) {
      base.vendor_data = nlohmann::json::object();
    }
    for (const auto& [key, value] : extra.vendor_data.items()) {
      if (!base.vendor_data.contains(key)) {
        base.vendor_data[key] = value;
      }
    }
  }
  if (!base.vpn_server) {
    base.vpn_server = extra.vpn_server;
  }
  if (!base.ipv6_enabled) {
    base.ipv6_enabled = extra.ipv6_enabled;
  }
  if (!base.ipv6_firewall_enabled) {
    base.ipv6_firewall_enabled = extra.ipv6_firewall_enabled;
    base.ipv6_firewall_level = extra.ipv6_firewall_level;
  }
  if (!base.ipv6_exposed_host) {
    base.ipv6_exposed_host = extra.ipv6_exposed_host;
  }
  // A hole UPnP hides (it shows what a hole opens only to its owner) adds nothing when another
  // API listed every pinhole with its details: it is one of those.
  bool base_lists_all = base.pinholes_known;
  base.pinholes_known = base.pinholes_known || extra.pinholes_known;
  for (const auto& p : extra.pinholes) {
    if (p.details_hidden && base_lists_all) {
      continue;
    }
    auto same = std::find_if(base.pinholes.begin(), base.pinholes.end(),
                             [&](const Pinhole& b) { return b.same_rule(p); });
    if (same == base.pinholes.end()) {
      base.pinholes.push_back(p);
    } else {
      add_unique(same->origin, p.origin);
      add_unique(same->apis, p.apis);
    }
  }
  if (extra.pinholes_known && !base_lists_all) {
    std::erase_if(base.pinholes, [](const Pinhole& p) { return p.details_hidden; });
  }
  if (!base.box_services_known && extra.box_services_known) {
    base.box_services = extra.box_services;
    base.box_services_known = true;
  }
  for (const auto& f : extra.port_forwards) {
    auto same = std::find_if(base.port_forwards.begin(), base.port_forwards.end(), [&](const PortForward& b) {
      return b.same_rule(f) && b.internal_host == f.internal_host;
    });
    if (same == base.port_forwards.end()) {
      base.port_forwards.push_back(f);
    } else {
      add_unique(same->origin, f.origin);
      add_unique(same->apis, f.apis);
    }
  }
}

Box::Box(const Discovered& found, SessionContext& ctx, RecordingHttpClient* recorder)
    : m_target(found.target), m_recorder(recorder) {
  for (const VendorPlugin* p : found.plugins) {
    m_sessions.emplace_back(p, p->open(found.target, ctx));
  }
}

Box::~Box() {
  for (auto& [plugin, session] : m_sessions) {
    try {
      session->close();
    } catch (...) {
      // logout is best effort
    }
  }
}

RouterState Box::read_state() {
  std::optional<RouterState> merged;
  std::exception_ptr igd_silent;
  for (auto& [plugin, session] : m_sessions) {
    RouterState s;
    try {
      s = session->read_state();
    } catch (const Error& e) {
      // A box's own UPnP switch, once off, stops its IGD: the generic IGD API then no longer
      // answers. That is not a box gone away (a fix that switched UPnP off must not wait for
      // it, nor undo itself) when another API of the box answers and says UPnP is off.
      if (e.kind() != ErrorKind::unreachable || !has(plugin->capabilities(), Capability::generic_igd) ||
          m_sessions.size() < 2) {
        throw;
      }
      igd_silent = std::current_exception();
      continue;
    }
    if (!merged) {
      merged = std::move(s);
    } else {
      merge_state(*merged, s);
    }
  }
  if (igd_silent && !(merged && merged->upnp_igd_enabled == false)) {
    std::rethrow_exception(igd_silent);
  }
  RouterState out = merged ? std::move(*merged) : RouterState{};
  out.address = m_target.address;
  return out;
}

const Box::Entry* Box::route(const Action& a) const {
  Capability cap = capability_for(a.kind);
  // A forward or pinhole goes to an API that reported it, the vendor's own first.
  if (a.target.forward || a.target.pinhole) {
    for (const auto& e : m_sessions) {
      const auto& apis = a.target.forward ? a.target.forward->apis : a.target.pinhole->apis;
      if (has(e.first->capabilities(), cap) &&
          std::find(apis.begin(), apis.end(), std::string(e.first->id())) != apis.end()) {
        return &e;
      }
    }
  }
  for (const auto& e : m_sessions) {
    if (has(e.first->capabilities(), cap)) {
      return &e;
    }
  }
  return nullptr;
}

bool Box::can_apply(const Action& a) const {
  return a.kind != ChangeKind::manual && route(a) != nullptr;
}

void Box::apply(const Action& a) {
  const Entry* e = route(a);
  if (e == nullptr) {
    throw Error(ErrorKind::unsupported, a.summary + ": no plugin can do this on this box");
  }
  e->second->apply(change_of(a));
}

std::vector<std::string> Box::rehearse(const Action& a) {
  const Entry* e = route(a);
  if (e == nullptr || m_recorder == nullptr) {
    return {};
  }
  m_recorder->start();
  std::string stopped;
  try {
    e->second->apply(change_of(a));
  } catch (const Error& err) {
    stopped = std::string("(a real run would stop here: ") + err.what() + ")";
  } catch (...) {
    m_recorder->stop();
    throw;
  }
  std::vector<std::string> lines = m_recorder->stop();
  if (!stopped.empty()) {
    lines.push_back(stopped);
  }
  return lines;
}

Secret Box::vpn_peer_config(const std::string& peer) {
  for (auto& [plugin, session] : m_sessions) {
    if (has(plugin->capabilities(), Capability::vpn_server)) {
      return session->vpn_peer_config(peer);
    }
  }
  throw Error(ErrorKind::unsupported, "this box has no VPN server of its own");
}

Capabilities Box::capabilities() const {
  Capabilities c = 0;
  for (const auto& e : m_sessions) {
    c |= e.first->capabilities();
  }
  return c;
}

}  // namespace bw
