#include "core/state_diff.hpp"

#include <algorithm>

#include "core/i18n.hpp"
#include "core/text.hpp"

namespace bw {

namespace {

std::string where(const PortForward& f) {
  std::string s = f.internal_host.empty() ? std::string(tr("an unknown machine")) : printable(f.internal_host, 45);
  if (f.internal_port != 0) {
    s = fill(tr("{host} port {port}"), {{"host", s}, {"port", std::to_string(f.internal_port)}});
  }
  if (!f.description.empty()) {
    s = fill(tr("{where} (\"{label}\")"), {{"where", s}, {"label", printable(f.description, 60)}});
  }
  if (!f.remote_host.empty()) {
    s = fill(tr("{where}, only from {address}"), {{"where", s}, {"address", printable(f.remote_host, 45)}});
  }
  if (!f.enabled) {
    s = fill(tr("{where}, switched off"), {{"where", s}});
  }
  return s;
}

std::string name(const PortForward& f) {
  return f.external_port_end != f.external_port
             ? fill(tr("{protocol} ports {first}-{last}"), {{"protocol", to_string(f.protocol)},
                    {"first", std::to_string(f.external_port)}, {"last", std::to_string(f.external_port_end)}})
             : fill(tr("{protocol} port {port}"), {{"protocol", to_string(f.protocol)}, {"port", std::to_string(f.external_port)}});
}

bool same_target(const PortForward& a, const PortForward& b) {
  return a.internal_host == b.internal_host && a.internal_port == b.internal_port && a.enabled == b.enabled &&
         a.description == b.description;
}

const PortForward* find(const std::vector<PortForward>& list, const PortForward& f) {
  auto it = std::find_if(list.begin(), list.end(), [&](const PortForward& x) { return x.same_rule(f); });
  return it == list.end() ? nullptr : &*it;
}

std::string dmz_text(const std::optional<Dmz>& d) {
  if (!d) {
    return tr("unknown");
  }
  if (!d->enabled) {
    return tr("off");
  }
  return fill(tr("on, to {host}"), {{"host", d->host.empty() ? std::string(tr("an unknown machine")) : printable(d->host, 45)}});
}

std::string switch_text(const std::optional<bool>& b) {
  return !b ? tr("unknown") : *b ? tr("on") : tr("off");
}

}  // namespace

std::vector<std::string> describe_changes(const RouterState& before, const RouterState& after) {
  std::vector<std::string> out;
  for (const auto& f : after.port_forwards) {
    const PortForward* old = find(before.port_forwards, f);
    if (old == nullptr) {
      out.push_back(fill(tr("new: {forward} now goes to {where}"), {{"forward", name(f)}, {"where", where(f)}}));
    } else if (!same_target(*old, f)) {
      out.push_back(fill(tr("changed: {forward} now goes to {where}; it went to {before}"),
                         {{"forward", name(f)}, {"where", where(f)}, {"before", where(*old)}}));
    }
  }
  for (const auto& f : before.port_forwards) {
    if (find(after.port_forwards, f) == nullptr) {
      out.push_back(fill(tr("gone: {forward} to {where} is no longer open"), {{"forward", name(f)}, {"where", where(f)}}));
    }
  }
  auto dmz_before = dmz_text(before.dmz);
  auto dmz_after = dmz_text(after.dmz);
  if (dmz_before != dmz_after) {
    out.push_back(fill(tr("changed: the DMZ is now {now}; it was {before}"), {{"now", dmz_after}, {"before", dmz_before}}));
  }
  if (before.upnp_igd_enabled != after.upnp_igd_enabled) {
    out.push_back(fill(tr("changed: UPnP is now {now}; it was {before}"),
                       {{"now", switch_text(after.upnp_igd_enabled)}, {"before", switch_text(before.upnp_igd_enabled)}}));
  }
  if (before.remote_admin_enabled != after.remote_admin_enabled) {
    out.push_back(fill(tr("changed: administration from the Internet is now {now}; it was {before}"),
                       {{"now", switch_text(after.remote_admin_enabled)}, {"before", switch_text(before.remote_admin_enabled)}}));
  }
  return out;
}

}  // namespace bw
