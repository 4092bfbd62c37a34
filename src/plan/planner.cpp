#include "plan/planner.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace bw {

namespace {

int order_of(const Action& a) {
  if (!a.automatic) {
    return 10;
  }
  switch (a.kind) {
    case ChangeKind::delete_port_forward: return 0;
    case ChangeKind::disable_dmz: return 1;
    case ChangeKind::disable_remote_admin: return 2;
    case ChangeKind::disable_upnp: return 3;
    case ChangeKind::delete_pinhole: return 0;
    case ChangeKind::enable_ipv6_firewall: return 1;
    default: return 5;
  }
}

// Plain words for a field the box did not let us read (RouterState::unknown()).
std::string plain_field(const std::string& field) {
  if (field == "static_port_forwards") {
    return "the port forwards set up in the box's pages";
  }
  if (field == "dmz") {
    return "the DMZ";
  }
  if (field == "remote_admin") {
    return "administration of the box from the Internet (remote access)";
  }
  if (field == "upnp_igd") {
    return "the UPnP switch";
  }
  if (field == "ipv6_firewall") {
    return "the IPv6 firewall (it must be on, or at its default level)";
  }
  if (field == "ipv6_pinholes") {
    return "the IPv6 pinholes (openings of the IPv6 firewall towards one computer)";
  }
  return field;
}

// A rule the box or the ISP manages (TR-069 "cwmp*", the box's "internal" rules): deleting
// it would be undone by them, or break the service they provide.
bool managed_by_box_or_isp(const PortForward& f) {
  return std::any_of(f.origin.begin(), f.origin.end(), [](const std::string& o) {
    return o.rfind("cwmp", 0) == 0 || o == "internal";
  });
}

using Menus = std::map<std::string, std::string>;

std::string web_ui(const std::string& box) {
  return "Open the box's web interface (http://" + box + ") and sign in as administrator. ";
}

// The step in the box's own words when its plugin gave them (RouterState::menus), else `generic`.
std::string step(const Menus& menus, const std::string& box, const std::string& key, const std::string& generic,
                 const std::string& detail = {}) {
  auto open = menus.find("web_ui");
  auto place = menus.find(key);
  if (place == menus.end()) {
    return (open == menus.end() ? web_ui(box) : open->second + " ") + generic;
  }
  return (open == menus.end() ? web_ui(box) : open->second + " ") + place->second + (detail.empty() ? "" : " " + detail);
}

std::string menu_key(const std::string& field) {
  return field == "static_port_forwards" ? "port_forwards" : field;
}

Action action_for(const Finding& f, const std::string& box, const Menus& menus) {
  Action a;
  a.target = f.subject;
  a.because_rule = f.rule;
  switch (f.subject.kind) {
    case SubjectKind::port_forward: {
      const PortForward& pf = *f.subject.forward;
      a.kind = ChangeKind::delete_port_forward;
      a.summary = "Close " + std::string(to_string(pf.protocol)) + " port " +
                  (pf.external_port == pf.external_port_end
                       ? std::to_string(pf.external_port)
                       : std::to_string(pf.external_port) + "-" + std::to_string(pf.external_port_end)) +
                  " (forwarded to " + printable(pf.internal_host, 40) + ")";
      a.manual_steps = step(menus, box, "port_forwards",
                            "In the port forwarding (NAT/PAT) or UPnP page, delete the rule for " + pf.key() + " to " +
                                printable(pf.internal_host, 40) + ".",
                            "(The rule for " + pf.key() + " to " + printable(pf.internal_host, 40) + ".)");
      break;
    }
    case SubjectKind::dmz:
      a.kind = ChangeKind::disable_dmz;
      a.summary = "Switch the DMZ off" + (f.subject.dmz && !f.subject.dmz->host.empty()
                                               ? " (it sends everything to " + printable(f.subject.dmz->host, 40) + ")"
                                               : std::string());
      a.manual_steps = step(menus, box, "dmz", "In the Network or Firewall page, find the DMZ setting and switch it off.");
      break;
    case SubjectKind::upnp_igd:
      a.kind = ChangeKind::disable_upnp;
      a.summary = "Switch UPnP off, so that no program on the network can open ports by itself";
      a.manual_steps = step(menus, box, "upnp_igd", "In the Network (NAT/PAT or UPnP) page, switch UPnP IGD off.");
      break;
    case SubjectKind::remote_admin:
      a.kind = ChangeKind::disable_remote_admin;
      a.summary = "Switch off administration of the box from the Internet";
      a.manual_steps = step(menus, box, "remote_admin", "In the remote access page, switch remote administration off.");
      break;
    case SubjectKind::ipv6_pinhole: {
      const Pinhole& ph = *f.subject.pinhole;
      a.kind = ChangeKind::delete_pinhole;
      if (ph.details_hidden) {
        // UPnP tells what a hole opens only to the device that opened it: it can be neither
        // judged nor put back exactly, so a person closes it.
        a.kind = ChangeKind::manual;
        a.summary = "Close the IPv6 hole #" + printable(ph.id, 20) + " a device opened through UPnP";
        a.manual_steps =
            "UPnP lets only the device that opened this hole close it, and does not say which device that is. "
            "Either: on each computer, close the program that shares things with the Internet (file sharing, "
            "remote access, imaging or peer-to-peer software) or switch off its UPnP option; or " +
            std::string("open the box's web interface (http://") + box +
            "), sign in as administrator, find the IPv6 firewall (pinholes) page and delete the hole; or switch "
            "UPnP off in the box's pages, which stops devices opening new holes (holes already open may last until "
            "their lease ends or the box restarts).";
        break;
      }
      a.summary = "Close the IPv6 hole to " + ph.key() + " in the box's firewall";
      a.manual_steps = web_ui(box) + "In the firewall page, under IPv6 (pinholes), delete the rule for " + ph.key() +
                       ".";
      break;
    }
    case SubjectKind::ipv6_firewall:
      a.kind = ChangeKind::enable_ipv6_firewall;
      a.summary = f.subject.ipv6_level.empty()
                      ? "Switch the box's IPv6 firewall on"
                      : "Raise the box's IPv6 firewall from " + printable(f.subject.ipv6_level, 20) +
                            " to its default level, which keeps the Internet out";
      a.manual_steps = web_ui(box) + "In the firewall page, under IPv6, switch the firewall on (or set it to its "
                       "default level, usually Medium), then check that every pinhole there is still needed.";
      break;
    case SubjectKind::ipv6_exposed_host:
      a.kind = ChangeKind::manual;
      a.summary = "Switch off the IPv6 exposed host" +
                  (f.subject.dmz && !f.subject.dmz->host.empty() ? " (" + printable(f.subject.dmz->host, 45) + ")"
                                                                 : std::string());
      a.manual_steps = web_ui(box) + "In the port sharing or firewall page for IPv6, find the device opened as "
                       "'exposed host' and switch that off.";
      break;
    case SubjectKind::unknown_field:
      a.kind = ChangeKind::manual;
      a.summary = "Check by hand " + plain_field(f.subject.field) + " (boxwarden could not read it)";
      a.manual_steps = step(menus, box, menu_key(f.subject.field),
                            "Look at " + plain_field(f.subject.field) +
                                ": switch it off, or delete what is not needed. (If boxwarden has a plugin for your "
                                "box, see 'boxwarden vendors', it can read this for you.)");
      break;
  }
  return a;
}

}  // namespace

std::map<std::string, std::string> menus_of(const nlohmann::json& vendor_data) {
  std::map<std::string, std::string> out;
  auto it = vendor_data.is_object() ? vendor_data.find("menus") : vendor_data.end();
  if (it == vendor_data.end() || !it->is_object()) {
    return out;
  }
  for (const auto& [key, value] : it->items()) {
    if (value.is_string() && key.size() <= 32 && out.size() < 16) {
      out[key] = printable(value.get<std::string>(), 400);
    }
  }
  return out;
}

std::vector<Action> make_plan(const std::vector<Finding>& findings, Severity threshold,
                              const std::string& box_address, const CanApply& can_apply,
                              bool delete_managed, const std::map<std::string, std::string>& menus) {
  std::vector<Action> plan;
  for (const auto& f : findings) {
    // "none": allowed, or a VPN server noted and never removed (EXPOSE-VPN).
    if (f.allowed || f.action == "none" || f.severity < threshold) {
      continue;
    }
    Action a = action_for(f, box_address, menus);
    if (a.kind == ChangeKind::manual || !can_apply(a)) {
      a.automatic = false;
      a.reversible = false;
    }
    bool managed = a.target.forward && managed_by_box_or_isp(*a.target.forward);
    if (managed && delete_managed && a.automatic) {
      a.summary += " (made by the box or the ISP, which may put it back)";
    } else if (managed) {
      a.automatic = false;
      a.reversible = false;
      a.summary += ": managed by the box or the ISP, so boxwarden leaves it";
      a.manual_steps = "This rule was made by your ISP (remote management, TR-069) or by the box itself, not by "
                       "a person or a program on your network. Deleting it would be undone by them or could break "
                       "the service it is for. If you do not use that service, ask your ISP to remove it (or, to have "
                       "boxwarden delete such rules, put 'managed-forwards delete' in the profile).";
    }
    plan.push_back(std::move(a));
  }
  std::stable_sort(plan.begin(), plan.end(), [](const Action& x, const Action& y) { return order_of(x) < order_of(y); });
  return plan;
}

}  // namespace bw
