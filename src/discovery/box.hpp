// Box: every session open on one router, seen as one. States are merged (a mapping seen
// by UPnP and by the vendor API is one entry with both origins) and each action goes to
// the plugin that can do it.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "discovery/discovery.hpp"

namespace bw {

class Box {
 public:
  Box(const Discovered& found, SessionContext& ctx);  // opens a session per plugin
  ~Box();

  RouterState read_state();
  void apply(const Action& a);                          // throws Error
  std::vector<std::string> describe(const Action& a) const;
  Capabilities capabilities() const;                    // union of the plugins'
  bool can_apply(const Action& a) const;
  const Target& target() const { return m_target; }

 private:
  using Entry = std::pair<const VendorPlugin*, std::unique_ptr<Session>>;
  const Entry* route(const Action& a) const;

  Target m_target;
  std::vector<Entry> m_sessions;
};

// Merges `extra` into `base` (pure; unit-tested).
void merge_state(RouterState& base, const RouterState& extra);

}  // namespace bw
