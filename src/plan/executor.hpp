// Executor: back up, apply each automatic action, re-read the box, verify. On any failure
// it undoes what was done (in reverse), re-reads and verifies again. The outcome tells the
// exit code: fixed, rolled back (5) or rollback failed (6, backup path printed).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/deadline.hpp"
#include "core/router_state.hpp"
#include "plan/action.hpp"

namespace bw {

// What the executor needs of a box: read it, make one change (discovery's Box: every plugin
// session open on the box; tests use fakes).
class BoxAccess {
 public:
  virtual ~BoxAccess() = default;
  virtual RouterState read_state() = 0;
  virtual void apply(const Action& a) = 0;  // throws Error
};

// interrupted: a signal (SIGINT, SIGTERM, SIGHUP) stopped the changes and what was done was
// undone and checked (exit 5, like rolled_back); when that undo fails the outcome is
// rollback_failed.
enum class Outcome { applied, rolled_back, rollback_failed, nothing_to_do, interrupted };

struct StepReport {
  std::string summary;
  bool ok = false;
  std::string error;
  // Failed before anything was sent: the entry was no longer the one that was read
  // (ErrorKind::conflict). There is nothing of it to undo, and what took its place stays.
  bool untouched = false;
  // The box refused the account this change (ErrorKind::auth: a permission it lacks); exit 4
  // once the rest is undone.
  bool auth_refused = false;
};

struct ExecutionReport {
  Outcome outcome = Outcome::nothing_to_do;
  std::vector<StepReport> steps;     // applied (and undone) steps, in order
  std::string failure;               // first error, plain words
  RouterState after;                 // the box as read at the end (when it could be read)
  bool after_known = false;
};

using Progress = std::function<void(const std::string&)>;

// How long to keep trying a box that stopped answering (ErrorKind::unreachable: it may be
// rebooting) while checking, undoing or restoring: again every `pause`, until `deadline` (the
// --timeout) runs out. Without a deadline, nothing is tried twice. The changes of a fix are
// never retried: the first failure there starts the undo.
struct Patience {
  const Deadline* deadline = nullptr;
  std::chrono::milliseconds pause{1000};
};

// Applies the automatic actions of `plan` to `box`. The backup must already be saved.
ExecutionReport execute(BoxAccess& box, const std::vector<Action>& plan, const Progress& progress,
                        const Patience& patience = {});

// Restores what `plan` changed, from the state saved before (rollback command): applies
// the inverse of every action whose effect is still visible, then verifies. Idempotent.
// Outcome: applied; rolled_back when a step or the check failed and what had been restored
// was taken away again (the box is as before the rollback); rollback_failed when even that
// failed.
// What restore() would put back on a box that reads `now`: the automatic actions of `plan`
// whose original is not visible, in plan order (restore() undoes them in reverse). Pure.
std::vector<Action> still_to_restore(const std::vector<Action>& plan, const RouterState& now);

// `just_read`: the box as the caller read it an instant before (nothing asked in between),
// taken instead of a first read of its own (one read less against the --timeout).
ExecutionReport restore(BoxAccess& box, const std::vector<Action>& plan, const Progress& progress,
                        const Patience& patience = {}, const RouterState* just_read = nullptr);

}  // namespace bw
