// What a rollback would put back, before asking: for each backup to restore (newest first),
// the actions whose original is not on the box, in plain words, with what the profile says
// of each restored setting (judged on the backup's saved state: "this re-opens RDP,
// critical"). Pure: the box is read once by the caller.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/router_state.hpp"
#include "plan/action.hpp"
#include "plan/backup_store.hpp"
#include "rules/finding.hpp"
#include "rules/profile.hpp"

namespace bw {

struct RestoreItem {
  Action action;                   // the fix's action whose original is put back
  std::string summary;             // what is put back: inverse(action).summary
  std::optional<Finding> finding;  // the profile's finding about the restored setting, if any
};

// One list per backup of `newest_first`. Each backup sees the box as the restores before it
// will leave it (what a newer backup puts back is not listed again).
std::vector<std::vector<RestoreItem>> preview_restore(const std::vector<Backup>& newest_first,
                                                      const RouterState& now, const Profile& profile);

// `state` as it reads once `a`'s original is back (the simulation preview_restore uses).
void put_back(const Action& a, RouterState& state);

}  // namespace bw
