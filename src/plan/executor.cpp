#include "plan/executor.hpp"

#include <algorithm>
#include <optional>
#include <thread>

#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/interrupt.hpp"

namespace bw {

namespace {

// Runs `call`; while it fails because the box does not answer and `patience` leaves time,
// waits and tries again (a box that reboots comes back with its saved settings).
template <typename Call>
auto patiently(const Patience& patience, const Progress& progress, Call call) -> decltype(call()) {
  for (bool told = false;; told = true) {
    try {
      return call();
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::unreachable || patience.deadline == nullptr ||
          patience.deadline->remaining() <= patience.pause) {
        throw;
      }
      if (interrupt::stop_requested()) {
        throw;  // a signal: no more waiting for this change
      }
      if (!told) {
        progress(tr("the box does not answer (restarting?); trying again until the --timeout runs out"));
      }
      // In slices, so that a signal ends the wait at once (an undo's wait is never cut short:
      // stop_requested() is false once the undo started).
      for (auto slept = std::chrono::milliseconds(0); slept < patience.pause && !interrupt::stop_requested();) {
        auto slice = std::min(patience.pause - slept, std::chrono::milliseconds(50));
        std::this_thread::sleep_for(slice);
        slept += slice;
      }
    }
  }
}

// Applies `actions` in order; stops at the first failure. Returns the applied ones.
std::vector<Action> apply_all(BoxAccess& box, const std::vector<Action>& actions, ExecutionReport& report,
                              const Progress& progress, const Patience& patience = {}) {
  std::vector<Action> done;
  for (const auto& a : actions) {
    if (interrupt::stop_requested()) {
      // A signal: no new change (the undo's own steps never stop here, see undo_started()).
      if (report.failure.empty()) {
        report.failure = interrupt::interrupted_by();
      }
      break;
    }
    progress(a.summary);
    StepReport step{a.summary, false, ""};
    try {
      patiently(patience, progress, [&] { box.apply(a); });
      step.ok = true;
      report.steps.push_back(step);
      done.push_back(a);
    } catch (const Error& e) {
      step.error = e.what();
      step.untouched = e.kind() == ErrorKind::conflict;
      step.auth_refused = e.kind() == ErrorKind::auth;
      report.steps.push_back(step);
      if (report.failure.empty()) {
        report.failure = e.what();
      }
      break;
    }
  }
  return done;
}

// The last step failed before anything was sent (ErrorKind::conflict): not a change that may
// have taken effect. False when no step ran (a signal before the first).
bool last_step_untouched(const ExecutionReport& report) {
  return !report.steps.empty() && report.steps.back().untouched;
}

bool read_and_check(BoxAccess& box, ExecutionReport& report, const std::vector<Action>& actions,
                    bool (*check)(const Change&, const RouterState&), const Patience& patience,
                    const Progress& progress) {
  try {
    report.after = patiently(patience, progress, [&] { return box.read_state(); });
    report.after_known = true;
  } catch (const Error& e) {
    if (report.failure.empty()) {
      report.failure = fill(tr("could not re-read the box: {error}"), {{"error", e.what()}});
    }
    report.after_known = false;
    return false;
  }
  for (const auto& a : actions) {
    if (!check(change_of(a), report.after)) {
      if (report.failure.empty()) {
        report.failure = fill(tr("the box does not show the change: {change}"), {{"change", a.summary}});
      }
      return false;
    }
  }
  return true;
}

// Undo `done` in reverse order and verify the original is back. An action whose original
// is still visible (the box said yes but did nothing) is not undone.
bool undo(BoxAccess& box, const std::vector<Action>& done, ExecutionReport& report, const Progress& progress,
          const Patience& patience) {
  std::optional<RouterState> now;
  try {
    now = patiently(patience, progress, [&] { return box.read_state(); });
  } catch (const Error&) {
    // cannot tell what took effect: undo everything
  }
  std::vector<Action> inverses;
  for (auto it = done.rbegin(); it != done.rend(); ++it) {
    if (!now || !original_visible(*it, *now)) {
      inverses.push_back(inverse(*it));
    }
  }
  std::string first_failure = report.failure;
  apply_all(box, inverses, report, progress, patience);
  // What counts is the box: every original must be visible again (an inverse may fail
  // because the change it undoes never took effect).
  bool ok = read_and_check(box, report, done, original_visible, patience, progress);
  report.failure = first_failure;
  return ok;
}

}  // namespace

ExecutionReport execute(BoxAccess& box, const std::vector<Action>& plan, const Progress& progress,
                        const Patience& patience) {
  ExecutionReport report;
  std::vector<Action> automatic;
  std::copy_if(plan.begin(), plan.end(), std::back_inserter(automatic), [](const Action& a) { return a.automatic; });
  if (automatic.empty()) {
    report.outcome = Outcome::nothing_to_do;
    return report;
  }
  auto done = apply_all(box, automatic, report, progress);
  bool ok = false;
  if (!interrupt::stop_requested()) {
    progress(tr("checking the box"));
    ok = done.size() == automatic.size() &&
         read_and_check(box, report, automatic, effect_visible, patience, progress);
  }
  // A signal before the fix was complete and checked: undo it all, like a failure.
  bool interrupted = interrupt::stop_requested();
  if (ok && !interrupted) {
    report.outcome = Outcome::applied;
    return report;
  }
  if (interrupted) {
    report.failure = interrupt::interrupted_by();
  }
  interrupt::undo_started();  // from here on, nothing cuts the undo short
  progress(tr("undoing what was changed"));
  // A failed step may still have taken effect (the reply was lost): undo() looks at the box
  // and undoes it too when its effect is visible.
  if (done.size() < automatic.size() && !last_step_untouched(report)) {
    done.push_back(automatic[done.size()]);
  }
  bool undone = undo(box, done, report, progress, patience);
  report.outcome = !undone ? Outcome::rollback_failed : interrupted ? Outcome::interrupted : Outcome::rolled_back;
  return report;
}

std::vector<Action> still_to_restore(const std::vector<Action>& plan, const RouterState& now) {
  std::vector<Action> out;
  std::copy_if(plan.begin(), plan.end(), std::back_inserter(out),
               [&](const Action& a) { return a.automatic && !original_visible(a, now); });
  return out;
}

ExecutionReport restore(BoxAccess& box, const std::vector<Action>& plan, const Progress& progress,
                        const Patience& patience, const RouterState* just_read) {
  ExecutionReport report;
  auto stopped_before_any_change = [&] {
    report.failure = interrupt::interrupted_by();
    report.outcome = Outcome::interrupted;
    return report;
  };
  RouterState now;
  try {
    now = just_read ? *just_read : patiently(patience, progress, [&] { return box.read_state(); });
  } catch (const Error&) {
    if (interrupt::stop_requested()) {
      return stopped_before_any_change();
    }
    throw;
  }
  if (interrupt::stop_requested()) {
    return stopped_before_any_change();
  }
  std::vector<Action> automatic = still_to_restore(plan, now);
  if (automatic.empty()) {
    report.after = now;
    report.after_known = true;
    report.outcome = Outcome::nothing_to_do;
    return report;
  }
  std::vector<Action> inverses;
  for (auto it = automatic.rbegin(); it != automatic.rend(); ++it) {
    inverses.push_back(inverse(*it));
  }
  auto done = apply_all(box, inverses, report, progress, patience);
  bool interrupted = interrupt::stop_requested();
  // What counts is the box, even after a failed step: its answer may have been lost after it
  // took effect (a reset after the last AddPortMapping left everything restored, reported as
  // failed).
  if (!interrupted) {
    progress(tr("checking the box"));
    if (read_and_check(box, report, automatic, original_visible, patience, progress) &&
        !interrupt::stop_requested()) {
      report.failure.clear();
      report.outcome = Outcome::applied;
      return report;
    }
    interrupted = interrupt::stop_requested();
  }
  if (interrupted) {
    report.failure = interrupt::interrupted_by();
  }
  interrupt::undo_started();  // from here on, nothing cuts the taking back short
  // All or nothing here too: take back what this rollback restored, so that the box is as it
  // was before it (a failed step may have taken effect: undo() looks at the box).
  progress(tr("taking back what was restored"));
  if (done.size() < inverses.size() && !last_step_untouched(report)) {
    done.push_back(inverses[done.size()]);
  }
  bool undone = undo(box, done, report, progress, patience);
  report.outcome = !undone ? Outcome::rollback_failed : interrupted ? Outcome::interrupted : Outcome::rolled_back;
  return report;
}

}  // namespace bw
