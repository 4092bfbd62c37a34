#include "plan/restore_preview.hpp"

#include <algorithm>

#include "plan/executor.hpp"
#include "rules/evaluator.hpp"

namespace bw {

namespace {

bool about(const Finding& f, const Action& a) {
  switch (a.kind) {
    case ActionKind::delete_port_forward:
    case ActionKind::add_port_forward:
      return f.subject.kind == SubjectKind::port_forward && f.subject.forward && a.target.forward &&
             f.subject.forward->same_rule(*a.target.forward) &&
             f.subject.forward->internal_host == a.target.forward->internal_host;
    case ActionKind::disable_dmz:
    case ActionKind::restore_dmz:
      return f.subject.kind == SubjectKind::dmz;
    case ActionKind::disable_upnp:
    case ActionKind::enable_upnp:
      return f.subject.kind == SubjectKind::upnp_igd;
    case ActionKind::disable_remote_admin:
    case ActionKind::enable_remote_admin:
      return f.subject.kind == SubjectKind::remote_admin;
    case ActionKind::manual:
      return false;
  }
  return false;
}

}  // namespace

void put_back(const Action& a, RouterState& s) {
  auto& fs = s.port_forwards;
  auto same = [&](const PortForward& f) {
    return f.same_rule(*a.target.forward) && f.internal_host == a.target.forward->internal_host;
  };
  switch (a.kind) {
    case ActionKind::delete_port_forward: {
      PortForward f = *a.target.forward;
      f.enabled = true;
      fs.push_back(f);
      break;
    }
    case ActionKind::add_port_forward:
      fs.erase(std::remove_if(fs.begin(), fs.end(), same), fs.end());
      break;
    case ActionKind::disable_dmz: {
      Dmz d = a.target.dmz.value_or(Dmz{});
      d.enabled = true;
      s.dmz = d;
      break;
    }
    case ActionKind::restore_dmz:
      if (s.dmz) {
        s.dmz->enabled = false;
      }
      break;
    case ActionKind::disable_upnp:
    case ActionKind::enable_upnp:
      s.upnp_igd_enabled = a.kind == ActionKind::disable_upnp;
      break;
    case ActionKind::disable_remote_admin:
    case ActionKind::enable_remote_admin:
      s.remote_admin_enabled = a.kind == ActionKind::disable_remote_admin;
      break;
    case ActionKind::manual:
      break;
  }
}

std::vector<std::vector<RestoreItem>> preview_restore(const std::vector<Backup>& newest_first,
                                                      const RouterState& now, const Profile& profile) {
  std::vector<std::vector<RestoreItem>> out;
  RouterState box = now;
  for (const Backup& b : newest_first) {
    std::vector<Finding> findings = evaluate(profile, b.state);
    std::vector<RestoreItem> items;
    for (const Action& a : still_to_restore(b.plan, box)) {
      RestoreItem item{a, inverse(a).summary, std::nullopt};
      auto f = std::find_if(findings.begin(), findings.end(), [&](const Finding& x) { return about(x, a); });
      if (f != findings.end()) {
        item.finding = *f;
      }
      items.push_back(std::move(item));
    }
    // restore() undoes in reverse order of application: list it that way.
    std::reverse(items.begin(), items.end());
    for (const auto& item : items) {
      put_back(item.action, box);
    }
    out.push_back(std::move(items));
  }
  return out;
}

}  // namespace bw
