// Box: every session open on one router, seen as one. States are merged (a mapping seen
// by UPnP and by the vendor API is one entry with both origins) and each action goes to
// the plugin that can do it.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "discovery/discovery.hpp"
#include "plan/executor.hpp"

namespace bw {

class RecordingHttpClient;

class Box final : public BoxAccess {
 public:
  // Opens a session per plugin. `recorder`: the client the sessions were given, when it is a
  // RecordingHttpClient (what rehearse() needs).
  Box(const Discovered& found, SessionContext& ctx, RecordingHttpClient* recorder = nullptr);
  ~Box() override;

  RouterState read_state() override;
  void apply(const Action& a) override;                 // throws Error
  // --dry-run: runs apply(a) without sending its changes; the requests it would send (or why
  // it would stop). Needs a recorder.
  std::vector<std::string> rehearse(const Action& a);
  // The client configuration of `peer` from the box's own VPN server (a secret).
  Secret vpn_peer_config(const std::string& peer);
  Capabilities capabilities() const;                    // union of the plugins'
  bool can_apply(const Action& a) const;
  const Target& target() const { return m_target; }

 private:
  using Entry = std::pair<const VendorPlugin*, std::unique_ptr<Session>>;
  const Entry* route(const Action& a) const;

  Target m_target;
  std::vector<Entry> m_sessions;
  RecordingHttpClient* m_recorder = nullptr;
};

// Merges `extra` into `base` (pure; unit-tested).
void merge_state(RouterState& base, const RouterState& extra);

}  // namespace bw
