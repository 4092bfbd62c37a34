#include "core/state_diff.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace bw {

namespace {

std::string where(const PortForward& f) {
  std::string s = f.internal_host.empty() ? std::string("an unknown machine") : printable(f.internal_host, 45);
  if (f.internal_port != 0) {
    s += " port " + std::to_string(f.internal_port);
  }
  if (!f.description.empty()) {
    s += " (\"" + printable(f.description, 60) + "\")";
  }
  if (!f.remote_host.empty()) {
    s += ", only from " + printable(f.remote_host, 45);
  }
  if (!f.enabled) {
    s += ", switched off";
  }
  return s;
}

std::string name(const PortForward& f) {
  return std::string(to_string(f.protocol)) + " port " +
         (f.external_port_end != f.external_port
              ? std::to_string(f.external_port) + "-" + std::to_string(f.external_port_end)
              : std::to_string(f.external_port));
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
    return "unknown";
  }
  if (!d->enabled) {
    return "off";
  }
  return "on, to " + (d->host.empty() ? std::string("an unknown machine") : printable(d->host, 45));
}

std::string switch_text(const std::optional<bool>& b) {
  return !b ? "unknown" : *b ? "on" : "off";
}

}  // namespace

std::vector<std::string> describe_changes(const RouterState& before, const RouterState& after) {
  std::vector<std::string> out;
  for (const auto& f : after.port_forwards) {
    const PortForward* old = find(before.port_forwards, f);
    if (old == nullptr) {
      out.push_back("new: " + name(f) + " now goes to " + where(f));
    } else if (!same_target(*old, f)) {
      out.push_back("changed: " + name(f) + " now goes to " + where(f) + "; it went to " + where(*old));
    }
  }
  for (const auto& f : before.port_forwards) {
    if (find(after.port_forwards, f) == nullptr) {
      out.push_back("gone: " + name(f) + " to " + where(f) + " is no longer open");
    }
  }
  auto dmz_before = dmz_text(before.dmz);
  auto dmz_after = dmz_text(after.dmz);
  if (dmz_before != dmz_after) {
    out.push_back("changed: the DMZ is now " + dmz_after + "; it was " + dmz_before);
  }
  if (before.upnp_igd_enabled != after.upnp_igd_enabled) {
    out.push_back("changed: UPnP is now " + switch_text(after.upnp_igd_enabled) + "; it was " +
                  switch_text(before.upnp_igd_enabled));
  }
  if (before.remote_admin_enabled != after.remote_admin_enabled) {
    out.push_back("changed: administration from the Internet is now " + switch_text(after.remote_admin_enabled) +
                  "; it was " + switch_text(before.remote_admin_enabled));
  }
  return out;
}

}  // namespace bw
