// Executor: back up, apply each automatic action, re-read the box, verify. On any failure
// it undoes what was done (in reverse), re-reads and verifies again. The outcome tells the
// exit code: fixed, rolled back (5) or rollback failed (6, backup path printed).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/router_state.hpp"
#include "plan/action.hpp"

namespace bw {

class Box;

enum class Outcome { applied, rolled_back, rollback_failed, nothing_to_do };

struct StepReport {
  std::string summary;
  bool ok = false;
  std::string error;
};

struct ExecutionReport {
  Outcome outcome = Outcome::nothing_to_do;
  std::vector<StepReport> steps;     // applied (and undone) steps, in order
  std::string failure;               // first error, plain words
  RouterState after;                 // the box as read at the end (when it could be read)
  bool after_known = false;
};

// True when `state` shows the effect of `a` (e.g. the forward is gone).
bool effect_visible(const Action& a, const RouterState& state);
// True when `state` shows what `a` changed as it was before (inverse verification).
bool original_visible(const Action& a, const RouterState& state);

using Progress = std::function<void(const std::string&)>;

// Applies the automatic actions of `plan` to `box`. The backup must already be saved.
ExecutionReport execute(Box& box, const std::vector<Action>& plan, const Progress& progress);

// Restores what `plan` changed, from the state saved before (rollback command): applies
// the inverse of every action whose effect is still visible, then verifies. Idempotent.
ExecutionReport restore(Box& box, const std::vector<Action>& plan, const Progress& progress);

}  // namespace bw
