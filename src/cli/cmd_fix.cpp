// `boxwarden fix`: audit, plan, confirm, back up, apply, verify; undo on any failure.
#include <algorithm>
#include <iostream>
#include <ostream>

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/inspect.hpp"
#include "cli/journal_run.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/state_diff.hpp"
#include "core/interrupt.hpp"
#include "core/text.hpp"
#include "plan/backup_store.hpp"
#include "report/html_report.hpp"
#include "rules/evaluator.hpp"
#include "rules/profile.hpp"

namespace bw::cli {

namespace {

void print_outcome(App& app, const Report& r) {
  auto& out = app.out();
  const ExecutionReport& e = *r.execution;
  out << "\n";
  for (const auto& st : e.steps) {
    out << "  " << (st.ok ? app.paint(tr("done"), "32") : app.paint(tr("FAILED"), "1;31")) << "  ";
    out << (st.ok ? printable(st.summary, 200)
                  : fill(tr("{change}: {error}"), {{"change", printable(st.summary, 200)}, {"error", printable(st.error, 300)}}));
    out << "\n";
  }
  switch (e.outcome) {
    case Outcome::applied:
      out << "\n" << tr("The box was re-read: every change is in place.") << "\n";
      break;
    case Outcome::rolled_back:
      out << "\n" << fill(tr("The fix failed ({reason}). Everything it changed was put back as it was, and checked."),
                          {{"reason", printable(e.failure, 300)}})
          << "\n";
      break;
    case Outcome::rollback_failed:
      out << "\n" << fill(tr("The fix failed ({reason}) and putting things back failed too. The box may be half-changed."),
                          {{"reason", printable(e.failure, 300)}})
          << "\n" << fill(tr("Your settings are saved in {file}"), {{"file", r.backup_path}}) << "\n"
          << fill(tr("Run 'boxwarden rollback {file}' when the box answers again, or restore them by hand."),
                  {{"file", r.backup_path}})
          << "\n";
      break;
    case Outcome::interrupted:
      out << "\n" << fill(tr("The fix was interrupted ({reason}). Everything it changed was put back as it was, and checked."),
                          {{"reason", printable(e.failure, 100)}})
          << "\n";
      break;
    case Outcome::nothing_to_do:
      break;
  }
  if (r.findings_after) {
    std::vector<Finding> left;
    std::copy_if(r.findings_after->begin(), r.findings_after->end(), std::back_inserter(left),
                 [&](const Finding& f) { return !f.allowed && f.severity >= app.fail_on(); });
    if (left.empty()) {
      out << fill(tr("Nothing at or above {severity} remains."), {{"severity", app.opt().fail_on}}) << "\n";
    } else {
      out << fill(tr("Still to do ({count}):"), {{"count", std::to_string(left.size())}}) << "\n";
      for (const auto& f : left) {
        out << "  " << severity_label(f.severity) << "  " << printable(f.title, 200) << "\n";
      }
    }
  }
  if (e.outcome == Outcome::applied) {
    // How to undo, in the words rollback uses for the same changes (it lists them again).
    out << "\n" << fill(tr("To undo these changes and put back the settings saved in {file}: boxwarden rollback"),
                        {{"file", r.backup_path}})
        << "\n";
  }
}

bool has_automatic(const std::vector<Action>& plan) {
  return std::any_of(plan.begin(), plan.end(), [](const Action& a) { return a.automatic; });
}

// Asks, then reads the box again: the backup and the changes come from that read, never from
// the one the person saw minutes ago. When the box changed meanwhile (a forward re-pointed to
// another machine, a program that opened a port), says what changed, shows the new plan and
// asks again. False when the person says no.
bool confirm_on_fresh_read(App& app, Inspection& in) {
  Report& r = in.report;
  std::string question = tr("Change the box now? A backup is saved first and everything is undone if a step fails.");
  for (;;) {
    if (!app.confirm(question)) {
      return false;
    }
    app.progress(tr("reading the box again before changing it"));
    RouterState now = in.box->read_state();
    std::vector<std::string> changes = describe_changes(r.state, now);
    judge(app, in, std::move(now));
    if (changes.empty()) {
      return true;
    }
    // The conversation goes where the person reads it: stdout when the text report goes there,
    // else stderr with the question (stdout, or the -o file, holds only the report, which ends
    // with the plan that was acted on).
    bool on_stdout = app.opt().format == Format::text && app.opt().output.empty();
    std::ostream& out = on_stdout ? app.out() : std::cerr;
    out << "\n" << tr("The box changed while you were reading (read again just now):") << "\n";
    for (const auto& c : changes) {
      out << "  " << c << "\n";
    }
    if (on_stdout) {
      out << "\n" << tr("What fix would do now:") << "\n";
      print_findings_text(app, r, r.findings);
      print_plan_text(app, r.plan, false, nullptr);
    }
    if (!has_automatic(r.plan)) {
      return true;
    }
    question = tr("Change the box now, as planned just above?");
  }
}

// The report as a document (json or html) instead of the text: written once, at the end.
void print_document(App& app, const Report& r, Box* dry_run_box = nullptr) {
  if (app.opt().format == Format::html) {
    report::print_html(app.out(), r, report::html_extras(app.profile(), app.fail_on()));
  } else {
    print_json(app.out(), r, dry_run_box);
  }
}

}  // namespace

ExitCode cmd_fix(App& app) {
  bool json = app.opt().format != Format::text;  // json or html: the document only, on stdout or -o
  if (!app.opt().dry_run) {
    app.lock_box_on_connect();  // one run per box, from before the read
  }
  Inspection in = inspect(app, "fix");
  Report& r = in.report;
  if (!json) {
    print_text(app, r, app.opt().dry_run ? in.box.get() : nullptr);
  }
  if (!has_automatic(r.plan) || app.opt().dry_run) {
    journal_fix(app, r);  // --dry-run: nothing
    if (app.opt().dry_run && !json) {
      app.out() << "\n" << tr("Dry run: nothing was changed.") << "\n";
    }
    if (json) {
      print_document(app, r, app.opt().dry_run ? in.box.get() : nullptr);
    }
    return exit_for(r.findings, app.fail_on());
  }
  if (!app.opt().yes) {
    if (!app.interactive()) {
      throw Error(ErrorKind::usage, tr("fix changes the box and there is no terminal to ask; add --yes to proceed, or run 'boxwarden plan' to see the plan"));
    }
    if (!confirm_on_fresh_read(app, in)) {
      app.note(tr("nothing was changed"));
      return exit_for(r.findings, app.fail_on());
    }
    if (!has_automatic(r.plan)) {
      app.note(tr("nothing is left to change; nothing was changed"));
      if (json) {
        print_document(app, r);
      }
      return exit_for(r.findings, app.fail_on());
    }
  }
  interrupt::ChangeScope changing;  // a signal from here on: no new change, undo, exit 5
  BackupStore store = app.backups();
  Backup backup;
  backup.gateway = r.state.address;
  backup.profile = r.profile;
  backup.state = r.state;
  backup.plan = r.plan;
  r.backup_path = store.save(backup);
  if (!json) {
    app.out() << "\n" << fill(tr("Saved the box's current settings to {file}"), {{"file", r.backup_path}}) << "\n";
  }
  r.execution = execute(*in.box, r.plan, [&](const std::string& s) { app.progress(s); }, Patience{&app.deadline()});
  try {  // the backup was saved "in-progress": say what became of the fix
    store.set_outcome(r.backup_path, backup_outcome_for(r.execution->outcome));
  } catch (const Error& e) {
    app.note(fill(tr("could not record the fix's outcome in its backup: {error}"), {{"error", e.what()}}));
  }
  changing.finished();
  if (r.execution->after_known) {
    r.findings_after = evaluate(app.profile(), r.execution->after);
  }
  journal_fix(app, r);
  if (json) {
    print_document(app, r);
  } else {
    print_outcome(app, r);
  }
  switch (r.execution->outcome) {
    case Outcome::interrupted:
      app.note(fill(tr("interrupted: the box was re-read and is as it was before the fix; the backup is kept: {file}"),
                    {{"file", r.backup_path}}));
      return ExitCode::rolled_back;
    case Outcome::rolled_back: {
      // Refused for a missing permission (e.g. an app without the right to change settings):
      // exit 4, like any refused account; what was done before it is undone and checked.
      auto failed = std::find_if(r.execution->steps.begin(), r.execution->steps.end(),
                                 [](const StepReport& s) { return !s.ok; });
      return failed != r.execution->steps.end() && failed->auth_refused ? ExitCode::auth : ExitCode::rolled_back;
    }
    case Outcome::rollback_failed:
      std::cerr << fill(tr("boxwarden: error: {message}"),
                        {{"message", fill(tr("the fix failed and could not be undone; backup: {file}"), {{"file", r.backup_path}})}})
                << "\n";
      return ExitCode::rollback_failed;
    default:
      return r.findings_after ? exit_for(*r.findings_after, app.fail_on()) : ExitCode::findings;
  }
}

}  // namespace bw::cli
