#include "plan/planner.hpp"

#include <algorithm>

#include "core/i18n.hpp"
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
    return tr("the port forwards set up in the box's pages");
  }
  if (field == "dmz") {
    return tr("the DMZ");
  }
  if (field == "remote_admin") {
    return tr("administration of the box from the Internet (remote access)");
  }
  if (field == "upnp_igd") {
    return tr("the UPnP switch");
  }
  if (field == "ipv6_firewall") {
    return tr("the IPv6 firewall (it must be on, or at its default level)");
  }
  if (field == "ipv6_pinholes") {
    return tr("the IPv6 pinholes (openings of the IPv6 firewall towards one computer)");
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
  return fill(tr("Open the box's web interface (http://{box}) and sign in as administrator."), {{"box", box}}) + " ";
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
      a.summary = fill(tr("Close {forward}"), {{"forward", forward_words(pf)}});
      a.manual_steps = step(menus, box, "port_forwards",
                            fill(tr("In the port forwarding (NAT/PAT) or UPnP page, delete the rule for {rule} to {host}."),
                                 {{"rule", pf.key()}, {"host", printable(pf.internal_host, 40)}}),
                            fill(tr("(The rule for {rule} to {host}.)"),
                                 {{"rule", pf.key()}, {"host", printable(pf.internal_host, 40)}}));
      break;
    }
    case SubjectKind::dmz:
      a.kind = ChangeKind::disable_dmz;
      a.summary = f.subject.dmz && !f.subject.dmz->host.empty()
                      ? fill(tr("Switch the DMZ off (it sends everything to {host})"),
                             {{"host", printable(f.subject.dmz->host, 40)}})
                      : std::string(tr("Switch the DMZ off"));
      a.manual_steps = step(menus, box, "dmz", tr("In the Network or Firewall page, find the DMZ setting and switch it off."));
      break;
    case SubjectKind::upnp_igd:
      a.kind = ChangeKind::disable_upnp;
      a.summary = tr("Switch UPnP off, so that no program on the network can open ports by itself");
      a.manual_steps = step(menus, box, "upnp_igd", tr("In the Network (NAT/PAT or UPnP) page, switch UPnP IGD off."));
      break;
    case SubjectKind::remote_admin:
      a.kind = ChangeKind::disable_remote_admin;
      a.summary = tr("Switch off administration of the box from the Internet");
      a.manual_steps = step(menus, box, "remote_admin", tr("In the remote access page, switch remote administration off."));
      break;
    case SubjectKind::ipv6_pinhole: {
      const Pinhole& ph = *f.subject.pinhole;
      a.kind = ChangeKind::delete_pinhole;
      if (ph.details_hidden) {
        // UPnP tells what a hole opens only to the device that opened it: it can be neither
        // judged nor put back exactly, so a person closes it.
        a.kind = ChangeKind::manual;
        a.summary = fill(tr("Close the IPv6 hole #{id} a device opened through UPnP"), {{"id", printable(ph.id, 20)}});
        a.manual_steps = fill(
            tr("UPnP lets only the device that opened this hole close it, and does not say which device that is. "
               "Either: on each computer, close the program that shares things with the Internet (file sharing, "
               "remote access, imaging or peer-to-peer software) or switch off its UPnP option; or "
               "open the box's web interface (http://{box}), sign in as administrator, find the IPv6 firewall "
               "(pinholes) page and delete the hole; or switch UPnP off in the box's pages, which stops devices "
               "opening new holes (holes already open may last until their lease ends or the box restarts)."),
            {{"box", box}});
        break;
      }
      a.summary = fill(tr("Close the IPv6 hole to {pinhole} in the box's firewall"), {{"pinhole", ph.key()}});
      a.manual_steps = web_ui(box) + fill(tr("In the firewall page, under IPv6 (pinholes), delete the rule for {pinhole}."),
                                          {{"pinhole", ph.key()}});
      break;
    }
    case SubjectKind::ipv6_firewall:
      a.kind = ChangeKind::enable_ipv6_firewall;
      a.summary = f.subject.ipv6_level.empty()
                      ? std::string(tr("Switch the box's IPv6 firewall on"))
                      : fill(tr("Raise the box's IPv6 firewall from {level} to its default level, which keeps the "
                                "Internet out"),
                             {{"level", printable(f.subject.ipv6_level, 20)}});
      a.manual_steps = web_ui(box) + tr("In the firewall page, under IPv6, switch the firewall on (or set it to its "
                                        "default level, usually Medium), then check that every pinhole there is still needed.");
      break;
    case SubjectKind::ipv6_exposed_host:
      a.kind = ChangeKind::manual;
      a.summary = f.subject.dmz && !f.subject.dmz->host.empty()
                      ? fill(tr("Switch off the IPv6 exposed host ({host})"), {{"host", printable(f.subject.dmz->host, 45)}})
                      : std::string(tr("Switch off the IPv6 exposed host"));
      a.manual_steps = web_ui(box) + tr("In the port sharing or firewall page for IPv6, find the device opened as "
                                        "'exposed host' and switch that off.");
      break;
    case SubjectKind::unknown_field:
      a.kind = ChangeKind::manual;
      a.summary = fill(tr("Check by hand {setting} (boxwarden could not read it)"), {{"setting", plain_field(f.subject.field)}});
      a.manual_steps = step(menus, box, menu_key(f.subject.field),
                            fill(tr("Look at {setting}: switch it off, or delete what is not needed. (If "
                                    "boxwarden has a plugin for your box, see 'boxwarden vendors', it can "
                                    "read this for you.)"),
                                 {{"setting", plain_field(f.subject.field)}}));
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
      a.summary = fill(tr("{change} (made by the box or the ISP, which may put it back)"), {{"change", a.summary}});
    } else if (managed) {
      a.automatic = false;
      a.reversible = false;
      a.summary = fill(tr("{change}: managed by the box or the ISP, so boxwarden leaves it"), {{"change", a.summary}});
      a.manual_steps = tr("This rule was made by your ISP (remote management, TR-069) or by the box itself, not by "
                          "a person or a program on your network. Deleting it would be undone by them or could break "
                          "the service it is for. If you do not use that service, ask your ISP to remove it (or, to have "
                          "boxwarden delete such rules, put 'managed-forwards delete' in the profile).");
    }
    plan.push_back(std::move(a));
  }
  std::stable_sort(plan.begin(), plan.end(), [](const Action& x, const Action& y) { return order_of(x) < order_of(y); });
  return plan;
}

}  // namespace bw
