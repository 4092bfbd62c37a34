#include "plan/restore_preview.hpp"

#include <algorithm>

#include "plan/executor.hpp"
#include "rules/evaluator.hpp"

namespace bw {

namespace {

bool about(const Finding& f, const Action& a) {
  switch (a.kind) {
    case ChangeKind::delete_port_forward:
    case ChangeKind::add_port_forward:
      return f.subject.kind == SubjectKind::port_forward && f.subject.forward && a.target.forward &&
             f.subject.forward->same_rule(*a.target.forward) &&
             f.subject.forward->internal_host == a.target.forward->internal_host;
    case ChangeKind::disable_dmz:
    case ChangeKind::restore_dmz:
      return f.subject.kind == SubjectKind::dmz;
    case ChangeKind::disable_upnp:
    case ChangeKind::enable_upnp:
      return f.subject.kind == SubjectKind::upnp_igd;
    case ChangeKind::disable_remote_admin:
    case ChangeKind::enable_remote_admin:
      return f.subject.kind == SubjectKind::remote_admin;
    case ChangeKind::delete_pinhole:
    case ChangeKind::add_pinhole:
      return f.subject.kind == SubjectKind::ipv6_pinhole && f.subject.pinhole && a.target.pinhole &&
             f.subject.pinhole->same_rule(*a.target.pinhole);
    case ChangeKind::enable_ipv6_firewall:
    case ChangeKind::restore_ipv6_firewall:
      return f.subject.kind == SubjectKind::ipv6_firewall;
    default:  // the VPN server and its users are no finding's subject; manual steps change nothing
      return false;
  }
}

}  // namespace

void put_back(const Action& a, RouterState& s) {
  put_back(change_of(a), s);
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
