// Backups: the state of the box before a fix and the plan about to be applied, one JSON
// file per fix in STATE_DIR/backups (directory 0700, files 0600, written atomically).
// Never holds a secret: RouterState has none.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/router_state.hpp"
#include "plan/action.hpp"

namespace bw {

struct Backup {
  std::string path;      // where it is stored
  std::string created;   // UTC, ISO 8601
  std::string gateway;   // box address
  std::string profile;
  RouterState state;     // before the fix
  std::vector<Action> plan;
};

class BackupStore {
 public:
  explicit BackupStore(std::string state_dir);
  std::string save(Backup& b);                   // sets b.path and b.created; returns the path
  Backup load(const std::string& path_or_name) const;  // throws Error(usage)
  std::vector<std::string> list() const;         // paths, oldest first
  std::optional<std::string> latest() const;
  const std::string& dir() const { return m_dir; }

 private:
  std::string m_dir;
};

std::string default_state_dir();  // $XDG_STATE_HOME/boxwarden or ~/.local/state/boxwarden

}  // namespace bw
