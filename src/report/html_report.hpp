// The report of `audit` and `fix` as one HTML page to keep and print (--format html): the box,
// the date, the site and the profile; what is open and why it matters, grouped by risk; for
// fix, what was closed and verified, what remains by hand with the steps, and how to undo;
// what changed since the last run (drift) and the history timeline when the report has them.
// Everything that came from the box is escaped (report/html.hpp).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "cli/report.hpp"
#include "core/severity.hpp"
#include "journal/timeline.hpp"
#include "report/html.hpp"
#include "rules/profile.hpp"

namespace bw::report {

// What changed since the last record of this box (the journal's drift, as plain values so that
// this page does not depend on how the journal stores it). Keys are exposure keys.
struct DriftView {
  std::string previous_at;  // "" = no earlier record of this box
  std::vector<std::string> added;
  std::vector<std::string> closed;
  std::vector<std::pair<std::string, std::string>> reopened;  // key, time of the fix that had closed it
};

struct HtmlExtras {
  // The profile's sentence about the site's data and the law (GDPR), said once on the page:
  // it is taken out of each finding's "why" where the evaluator appended it.
  std::string data_reason;
  Severity threshold = Severity::high;  // --fail-on: what "still open" counts after a fix
  std::optional<DriftView> drift;
};

// The extras for a report made with `profile` and --fail-on `threshold`.
HtmlExtras html_extras(const Profile& profile, Severity threshold);

// The whole page (audit, plan or fix: r.command says which).
void print_html(std::ostream& out, const cli::Report& r, const HtmlExtras& extras);

// `boxwarden history --format html`: one section per box, each with its timeline.
void write_history_html(std::ostream& out, const std::vector<Timeline>& timelines, const HtmlMeta& meta);

}  // namespace bw::report
