#include "core/change.hpp"

#include <algorithm>
#include <array>

namespace bw {

namespace {

// The one table of the vocabulary: a new kind of change is a row here (and a case in the
// plugins that make it).
struct Row {
  ChangeKind kind;
  std::string_view name;
  ChangeKind inverse;
  Capability needs;
  std::optional<bool> RouterState::*flag;  // the on/off setting it changes, or nullptr
  bool sets_to;                            // the value it gives that setting
};

constexpr std::array<Row, 17> k_changes = {{
    {ChangeKind::delete_port_forward, "delete-port-forward", ChangeKind::add_port_forward,
     Capability::delete_forward, nullptr, false},
    {ChangeKind::add_port_forward, "restore-port-forward", ChangeKind::delete_port_forward,
     Capability::add_forward, nullptr, true},
    {ChangeKind::disable_dmz, "disable-dmz", ChangeKind::restore_dmz, Capability::set_dmz, nullptr, false},
    {ChangeKind::restore_dmz, "restore-dmz", ChangeKind::disable_dmz, Capability::set_dmz, nullptr, true},
    {ChangeKind::disable_upnp, "disable-upnp", ChangeKind::enable_upnp, Capability::set_upnp_switch,
     &RouterState::upnp_igd_enabled, false},
    {ChangeKind::enable_upnp, "enable-upnp", ChangeKind::disable_upnp, Capability::set_upnp_switch,
     &RouterState::upnp_igd_enabled, true},
    {ChangeKind::disable_remote_admin, "disable-remote-admin", ChangeKind::enable_remote_admin,
     Capability::set_remote_admin, &RouterState::remote_admin_enabled, false},
    {ChangeKind::enable_remote_admin, "enable-remote-admin", ChangeKind::disable_remote_admin,
     Capability::set_remote_admin, &RouterState::remote_admin_enabled, true},
    {ChangeKind::enable_vpn_server, "enable-vpn-server", ChangeKind::disable_vpn_server, Capability::vpn_server,
     nullptr, true},
    {ChangeKind::disable_vpn_server, "disable-vpn-server", ChangeKind::enable_vpn_server, Capability::vpn_server,
     nullptr, false},
    {ChangeKind::add_vpn_peer, "add-vpn-peer", ChangeKind::delete_vpn_peer, Capability::vpn_server, nullptr, true},
    {ChangeKind::delete_vpn_peer, "delete-vpn-peer", ChangeKind::add_vpn_peer, Capability::vpn_server, nullptr,
     false},
    {ChangeKind::enable_ipv6_firewall, "enable-ipv6-firewall", ChangeKind::restore_ipv6_firewall,
     Capability::set_ipv6_firewall, &RouterState::ipv6_firewall_enabled, true},
    {ChangeKind::restore_ipv6_firewall, "restore-ipv6-firewall", ChangeKind::enable_ipv6_firewall,
     Capability::set_ipv6_firewall, &RouterState::ipv6_firewall_enabled, false},
    {ChangeKind::delete_pinhole, "delete-ipv6-pinhole", ChangeKind::add_pinhole, Capability::delete_pinhole, nullptr,
     false},
    {ChangeKind::add_pinhole, "restore-ipv6-pinhole", ChangeKind::delete_pinhole, Capability::add_pinhole, nullptr,
     true},
    {ChangeKind::manual, "manual", ChangeKind::manual, Capability::pairing, nullptr, false},
}};

const Row& row(ChangeKind k) {
  auto it = std::find_if(k_changes.begin(), k_changes.end(), [&](const Row& r) { return r.kind == k; });
  return it != k_changes.end() ? *it : k_changes.back();
}

bool forward_present(const PortForward& f, const RouterState& s) {
  return std::any_of(s.port_forwards.begin(), s.port_forwards.end(), [&](const PortForward& x) {
    return x.same_rule(f) && x.internal_host == f.internal_host && x.enabled;
  });
}

bool pinhole_present(const Pinhole& p, const RouterState& s) {
  return std::any_of(s.pinholes.begin(), s.pinholes.end(),
                     [&](const Pinhole& x) { return x.same_rule(p) && x.enabled; });
}

bool is_dmz(ChangeKind k) {
  return k == ChangeKind::disable_dmz || k == ChangeKind::restore_dmz;
}

bool is_vpn_server(ChangeKind k) {
  return k == ChangeKind::enable_vpn_server || k == ChangeKind::disable_vpn_server;
}

bool is_vpn_peer(ChangeKind k) {
  return k == ChangeKind::add_vpn_peer || k == ChangeKind::delete_vpn_peer;
}

bool has_peer(const RouterState& s, const std::string& name) {
  return s.vpn_server && std::find(s.vpn_server->peers.begin(), s.vpn_server->peers.end(), name) !=
                             s.vpn_server->peers.end();
}

}  // namespace

std::vector<std::string> capability_names(Capabilities set) {
  static const std::pair<Capability, const char*> k_names[] = {
      {Capability::read_mappings, "read-upnp-mappings"},
      {Capability::read_static_forwards, "read-static-forwards"},
      {Capability::delete_forward, "delete-forward"},
      {Capability::add_forward, "restore-forward"},
      {Capability::read_dmz, "read-dmz"},
      {Capability::set_dmz, "change-dmz"},
      {Capability::read_upnp_switch, "read-upnp-switch"},
      {Capability::set_upnp_switch, "switch-upnp-off"},
      {Capability::read_remote_admin, "read-remote-admin"},
      {Capability::set_remote_admin, "switch-remote-admin-off"},
      {Capability::vpn_server, "vpn-server"},
      {Capability::generic_igd, "generic-upnp"},
      {Capability::pairing, "pairing"},
      {Capability::read_ipv6_firewall, "read-ipv6-firewall"},
      {Capability::set_ipv6_firewall, "change-ipv6-firewall"},
      {Capability::read_pinholes, "read-ipv6-pinholes"},
      {Capability::delete_pinhole, "delete-ipv6-pinhole"},
      {Capability::add_pinhole, "restore-ipv6-pinhole"},
  };
  std::vector<std::string> out;
  for (const auto& [cap, name] : k_names) {
    if (has(set, cap)) {
      out.emplace_back(name);
    }
  }
  return out;
}

std::string_view to_string(ChangeKind k) {
  return row(k).name;
}

std::optional<ChangeKind> change_kind_from_name(std::string_view name) {
  for (const Row& r : k_changes) {
    if (r.name == name) {
      return r.kind;
    }
  }
  return std::nullopt;
}

ChangeKind inverse(ChangeKind k) {
  return row(k).inverse;
}

Capability capability_for(ChangeKind k) {
  return row(k).needs;
}

bool changes_forward(ChangeKind k) {
  return k == ChangeKind::delete_port_forward || k == ChangeKind::add_port_forward;
}

bool changes_pinhole(ChangeKind k) {
  return k == ChangeKind::delete_pinhole || k == ChangeKind::add_pinhole;
}

bool effect_visible(const Change& c, const RouterState& s) {
  const Row& r = row(c.kind);
  if (c.kind == ChangeKind::manual) {
    return true;
  }
  if (changes_pinhole(c.kind)) {
    return c.pinhole && pinhole_present(*c.pinhole, s) == r.sets_to;
  }
  if (c.kind == ChangeKind::restore_ipv6_firewall && !c.ipv6_level.empty()) {
    // A box with levels: back at the very level it had.
    return s.ipv6_firewall_enabled == false && s.ipv6_firewall_level == c.ipv6_level;
  }
  if (changes_forward(c.kind)) {
    return c.forward && forward_present(*c.forward, s) == r.sets_to;
  }
  if (is_dmz(c.kind)) {
    bool on = r.sets_to && c.dmz.value_or(Dmz{}).enabled;
    return s.dmz && s.dmz->enabled == on;
  }
  if (is_vpn_server(c.kind)) {
    return s.vpn_server && s.vpn_server->enabled == r.sets_to;
  }
  if (is_vpn_peer(c.kind)) {
    return s.vpn_server && has_peer(s, c.peer) == r.sets_to;
  }
  return r.flag != nullptr && s.*r.flag == r.sets_to;
}

bool original_visible(const Change& c, const RouterState& s) {
  if (c.kind == ChangeKind::disable_dmz) {
    return s.dmz && s.dmz->enabled && (!c.dmz || s.dmz->host == c.dmz->host);
  }
  const Row& r = row(c.kind);
  if (r.flag != nullptr && !r.sets_to) {
    return s.*r.flag == true;  // a switch turned off: on again (unknown is not the original)
  }
  if (c.kind == ChangeKind::delete_port_forward) {
    return c.forward && forward_present(*c.forward, s);
  }
  if (c.kind == ChangeKind::delete_pinhole) {
    return c.pinhole && pinhole_present(*c.pinhole, s);
  }
  if (c.kind == ChangeKind::enable_ipv6_firewall) {
    return s.ipv6_firewall_enabled == false && (c.ipv6_level.empty() || s.ipv6_firewall_level == c.ipv6_level);
  }
  return !effect_visible(c, s);
}

void put_back(const Change& c, RouterState& s) {
  const Row& r = row(c.kind);
  if (changes_forward(c.kind)) {
    if (!c.forward) {
      return;
    }
    auto& fs = s.port_forwards;
    if (c.kind == ChangeKind::delete_port_forward) {
      PortForward f = *c.forward;
      f.enabled = true;
      fs.push_back(f);
    } else {
      fs.erase(std::remove_if(fs.begin(), fs.end(),
                              [&](const PortForward& f) {
                                return f.same_rule(*c.forward) && f.internal_host == c.forward->internal_host;
                              }),
               fs.end());
    }
  } else if (changes_pinhole(c.kind)) {
    if (!c.pinhole) {
      return;
    }
    auto& ps = s.pinholes;
    if (c.kind == ChangeKind::delete_pinhole) {
      Pinhole p = *c.pinhole;
      p.enabled = true;
      ps.push_back(p);
    } else {
      std::erase_if(ps, [&](const Pinhole& p) { return p.same_rule(*c.pinhole); });
    }
  } else if (c.kind == ChangeKind::enable_ipv6_firewall) {
    s.ipv6_firewall_enabled = false;
    s.ipv6_firewall_level = c.ipv6_level;
  } else if (c.kind == ChangeKind::disable_dmz) {
    Dmz d = c.dmz.value_or(Dmz{});
    d.enabled = true;
    s.dmz = d;
  } else if (c.kind == ChangeKind::restore_dmz) {
    if (s.dmz) {
      s.dmz->enabled = false;
    }
  } else if (is_vpn_server(c.kind)) {
    if (s.vpn_server) {
      s.vpn_server->enabled = !r.sets_to;
    }
  } else if (is_vpn_peer(c.kind) && s.vpn_server) {
    auto& peers = s.vpn_server->peers;
    if (r.sets_to) {
      std::erase(peers, c.peer);
    } else if (!has_peer(s, c.peer)) {
      peers.push_back(c.peer);
    }
  } else if (r.flag != nullptr) {
    s.*r.flag = !r.sets_to;
  }
}

}  // namespace bw
