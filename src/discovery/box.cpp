#include "discovery/box.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace bw {

namespace {

void add_unique(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& s : from) {
    if (std::find(to.begin(), to.end(), s) == to.end()) {
      to.push_back(s);
    }
  }
}

Capability needed(ActionKind k) {
  switch (k) {
    case ActionKind::delete_port_forward: return Capability::delete_forward;
    case ActionKind::add_port_forward: return Capability::add_forward;
    case ActionKind::disable_dmz:
    case ActionKind::restore_dmz: return Capability::set_dmz;
    case ActionKind::disable_upnp:
    case ActionKind::enable_upnp: return Capability::set_upnp_switch;
    case ActionKind::disable_remote_admin:
    case ActionKind::enable_remote_admin: return Capability::set_remote_admin;
    case ActionKind::manual: break;
  }
  return Capability::vpn_server;  // never satisfied for a manual step
}

}  // namespace

void merge_state(RouterState& base, const RouterState& extra) {
  add_unique(base.apis, extra.apis);
  if (base.external_ip.empty()) {
    base.external_ip = extra.external_ip;
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
  if (!base.ipv6_firewall_enabled) {
    base.ipv6_firewall_enabled = extra.ipv6_firewall_enabled;
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

Box::Box(const Discovered& found, SessionContext& ctx) : m_target(found.target) {
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
  RouterState merged;
  bool first = true;
  for (auto& [plugin, session] : m_sessions) {
    RouterState s = session->read_state();
    if (first) {
      merged = std::move(s);
      first = false;
    } else {
      merge_state(merged, s);
    }
  }
  merged.address = m_target.address;
  return merged;
}

const Box::Entry* Box::route(const Action& a) const {
  Capability cap = needed(a.kind);
  // A forward goes to an API that reported it, the vendor's own first.
  if (a.target.forward) {
    for (const auto& e : m_sessions) {
      const auto& apis = a.target.forward->apis;
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
  return a.kind != ActionKind::manual && route(a) != nullptr;
}

void Box::apply(const Action& a) {
  const Entry* e = route(a);
  if (e == nullptr) {
    throw Error(ErrorKind::unsupported, a.summary + ": no plugin can do this on this box");
  }
  e->second->apply(a);
}

std::vector<std::string> Box::describe(const Action& a) const {
  const Entry* e = route(a);
  if (e == nullptr) {
    return {};
  }
  return e->second->describe(a);
}

Capabilities Box::capabilities() const {
  Capabilities c = 0;
  for (const auto& e : m_sessions) {
    c |= e.first->capabilities();
  }
  return c;
}

}  // namespace bw
