// The journal's side of each command (journal/journal.hpp): one call where audit, fix,
// rollback and vpn end. These never throw and never change the command's exit status: a
// journal that cannot be read or written is one warning line on stderr, and the fix stays
// done. --dry-run writes nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/report.hpp"
#include "journal/journal.hpp"
#include "journal/timeline.hpp"
#include "plan/executor.hpp"
#include "rules/finding.hpp"

namespace bw::cli {

class App;

// <state-dir>, or the default state dir.
std::string state_dir_of(const App& app);

// audit: sets r.drift from the journal's last record of this box, then appends this run.
void journal_audit(App& app, Report& r);
// fix: what was open before (r.findings) and after (r.findings_after), the plan's actions and
// what became of them (r.execution; without one, nothing automatic was done).
void journal_fix(App& app, const Report& r);
// rollback and vpn setup: the box as read (`state`), what the run did (`plan`), its outcome
// (`e`: none when nothing was sent), the backup it used or wrote. Exposures are judged by
// `profile` (rollback: the fix's, from its backup) when it loads, else by --profile.
void journal_change(App& app, const std::string& command, const RouterState& state, const std::vector<Action>& plan,
                    const std::optional<ExecutionReport>& e, const std::string& backup_path,
                    const std::string& profile = "");

// history and breach (cmd_history.cpp): the timelines of the boxes named by -g, else of every
// box of the journal (`newest_only`: of the box of the newest record). Exit 2 for a box the
// journal does not know.
std::vector<Timeline> journal_timelines(App& app, const std::vector<JournalRecord>& records, bool newest_only);
nlohmann::json to_json(const ExposureSpan& s);
std::string duration_text(long long seconds);  // "3 d 4 h", "2 h 5 min", "12 min", "40 s"

}  // namespace bw::cli
