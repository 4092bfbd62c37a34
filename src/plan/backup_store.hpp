// Backups: the state of the box before a fix and the plan about to be applied, one JSON
// file per fix in STATE_DIR/backups (directory 0700, files 0600, written atomically).
// Never holds a secret: RouterState has none. A backup is checked like network input when
// it is loaded: it may have been edited, and what it says is sent to the box.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/router_state.hpp"
#include "plan/action.hpp"
#include "plan/executor.hpp"

namespace bw {

// What became of the fix a backup was taken for. in_progress is written before the first
// change; a backup still in_progress once its run is over means the run was killed (SIGKILL,
// power cut) and the box may be half-changed. Backups without the field (round 1) read as
// completed.
enum class BackupOutcome { in_progress, completed, undone, interrupted, failed, rolled_back };
std::string_view to_string(BackupOutcome o);  // "in-progress", "completed", ..., "rolled-back"
std::optional<BackupOutcome> parse_backup_outcome(std::string_view text);
BackupOutcome backup_outcome_for(Outcome o);  // the executor's outcome at the end of a run
// Unfinished: the box may still hold part of the fix (in-progress or failed).
bool unfinished(BackupOutcome o);

struct Backup {
  std::string path;      // where it is stored
  std::string created;   // UTC, ISO 8601
  std::string gateway;   // box address
  std::string profile;
  RouterState state;     // before the fix
  std::vector<Action> plan;
  BackupOutcome outcome = BackupOutcome::in_progress;
  std::string rolled_back_at;  // UTC, ISO 8601, when outcome is rolled_back
};

class BackupStore {
 public:
  explicit BackupStore(std::string state_dir);
  // Writes b with its outcome (in-progress for a new fix); sets b.path and b.created; returns
  // the path. Refuses (Error protocol) a backup that would not load back.
  std::string save(Backup& b);
  // Records what became of the fix (atomically, the file stays 0600); rolled_back also
  // records rolled_back_at. Throws Error(usage) when the file is gone or damaged.
  void set_outcome(const std::string& path, BackupOutcome outcome) const;
  // Throws Error(usage): "PATH: FIELD: what is wrong; this file was not written by ...".
  Backup load(const std::string& path_or_name) const;
  std::vector<std::string> list() const;         // paths, oldest first
  std::optional<std::string> latest() const;
  const std::string& dir() const { return m_dir; }

 private:
  std::string m_dir;
};

std::string default_state_dir();  // $XDG_STATE_HOME/boxwarden or ~/.local/state/boxwarden

// Plain `rollback`: among `oldest_first`, the backups of `gateway` ("" = the gateway of the
// newest backup) to restore, as indices newest first: every unfinished one, and the newest
// completed one (a completed fix that was rolled back is rolled-back, no longer completed).
std::vector<size_t> select_for_rollback(const std::vector<Backup>& oldest_first, const std::string& gateway);

}  // namespace bw
