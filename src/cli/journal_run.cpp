#include "cli/journal_run.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/app.hpp"
#include "core/box_id.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "plan/backup_store.hpp"
#include "journal/drift.hpp"
#include "journal/exposure_key.hpp"
#include "journal/journal.hpp"
#include "rules/evaluator.hpp"
#include "rules/profile.hpp"

namespace bw::cli {

namespace {

void warn(const std::string& problem) {
  std::cerr << "boxwarden: "
            << fill(tr("warning: the journal was not written ({problem}); what this run did is not affected"),
                    {{"problem", printable(problem, 300)}})
            << "\n";
}

// A record keeps at most this many exposures, the most severe first (then by key, so that two
// reads of the same box keep the same ones): a hostile box can list 65,535 UPnP mappings, and
// every later audit of that box reads its records back.
constexpr size_t k_max_record_exposures = 512;

std::vector<JournalExposure> exposures_of(const std::vector<Finding>& findings) {
  std::vector<JournalExposure> out;
  for (const auto& f : findings) {
    if (!f.allowed) {
      out.push_back({exposure_key(f), f.rule, f.severity, f.service_id, std::string(to_string(f.subject.kind)),
                     printable(f.title, 300)});
    }
  }
  if (out.size() > k_max_record_exposures) {
    std::sort(out.begin(), out.end(), [](const JournalExposure& a, const JournalExposure& b) {
      return a.severity != b.severity ? a.severity > b.severity : a.key < b.key;
    });
    out.resize(k_max_record_exposures);
  }
  return out;
}

JournalRecord record_of(const App& app, const std::string& command, const RouterState& s, const std::string& profile) {
  JournalRecord r;
  r.time = utc_now();
  r.tool_version = BOXWARDEN_VERSION;
  r.command = command;
  r.site = app.opt().site;
  r.box_id = box_id(s.box_identity).value_or("");
  r.address = s.address;
  r.vendor = s.vendor;
  r.model = s.model;
  r.profile = profile;
  return r;
}

std::string outcome_of(Outcome o) {
  switch (o) {
    case Outcome::applied:
    case Outcome::nothing_to_do: return "done";
    case Outcome::rolled_back: return "rolled-back";
    case Outcome::interrupted: return "interrupted";
    case Outcome::rollback_failed: return "failed";
  }
  return "failed";
}

// `undo`: the run put back what `plan` had changed (rollback).
std::vector<JournalAction> actions_of(const std::vector<Action>& plan, const std::string& outcome, bool undo = false) {
  std::vector<JournalAction> out;
  for (const auto& a : plan) {
    ChangeKind kind = a.kind;
    if (undo && a.automatic) {
      try {
        kind = inverse(a).kind;
      } catch (const Error&) {
        // an action without an inverse is named as the fix named it
      }
    }
    out.push_back({a.automatic ? std::string(to_string(kind)) : std::string("manual"),
                   exposure_key(a.because_rule, a.target), a.automatic ? outcome : std::string("manual")});
  }
  return out;
}

std::string file_name(const std::string& path) {
  return path.empty() ? "" : std::filesystem::path(path).filename().string();
}

void append(const App& app, JournalRecord r) {
  if (app.opt().dry_run) {
    return;
  }
  try {
    append_record(state_dir_of(app), std::move(r));
  } catch (const std::exception& e) {
    warn(e.what());
  }
}

}  // namespace

std::string state_dir_of(const App& app) {
  return app.opt().state_dir.empty() ? default_state_dir() : app.opt().state_dir;
}

void journal_audit(App& app, Report& r) {
  JournalRecord rec = record_of(app, "audit", r.state, r.profile);
  if (!r.generated_at.empty()) {
    rec.time = r.generated_at;  // when the box was read
  }
  rec.exposures = exposures_of(r.findings);
  rec.outcome = "done";
  try {
    r.drift = compute_drift(read_journal(state_dir_of(app), [&](const JournalRecord& x) { return same_box(x, rec); }), rec);
  } catch (const std::exception& e) {
    warn(e.what());
    return;  // a journal that cannot be read is not appended to
  }
  append(app, std::move(rec));
}

void journal_fix(App& app, const Report& r) {
  JournalRecord rec = record_of(app, "fix", r.state, r.profile);
  rec.exposures_before = exposures_of(r.findings);
  rec.exposures = r.findings_after ? exposures_of(*r.findings_after) : *rec.exposures_before;
  rec.outcome = r.execution ? outcome_of(r.execution->outcome) : "done";
  rec.actions = actions_of(r.plan, rec.outcome);
  rec.backup = file_name(r.backup_path);
  append(app, std::move(rec));
}

void journal_change(App& app, const std::string& command, const RouterState& state, const std::vector<Action>& plan,
                    const std::optional<ExecutionReport>& e, const std::string& backup_path,
                    const std::string& profile_name) {
  try {
    Profile profile = app.profile();
    if (!profile_name.empty()) {
      try {
        profile = load_profile(profile_name);
      } catch (const Error&) {
        // the fix's profile is gone: --profile judges
      }
    }
    JournalRecord rec = record_of(app, command, state, profile.name);
    rec.exposures = exposures_of(evaluate(profile, e && e->after_known ? e->after : state));
    rec.outcome = e ? outcome_of(e->outcome) : "done";
    rec.actions = actions_of(plan, rec.outcome, command == "rollback");
    rec.backup = file_name(backup_path);
    append(app, std::move(rec));
  } catch (const std::exception& err) {
    warn(err.what());
  }
}

}  // namespace bw::cli
