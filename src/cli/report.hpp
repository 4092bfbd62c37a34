// One report for audit, plan and fix: built once as data, rendered as JSON (scripts) or
// as plain words (people). Untrusted text (descriptions, models) is escaped in both.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "discovery/discovery.hpp"
#include "journal/timeline.hpp"
#include "journal/drift.hpp"
#include "plan/action.hpp"
#include "plan/executor.hpp"
#include "rules/finding.hpp"

namespace bw {
class Box;
}

namespace bw::cli {

class App;

struct Report {
  std::string command;      // audit, plan, fix
  std::string site;         // --site ("" = null)
  std::string generated_at; // when the box was read (UTC, RFC 3339); "" = when printed
  std::string profile;
  std::string profile_summary;
  std::string data_reason;  // the profile's data sentence (GDPR), said once under the findings it concerns
  Discovered found;
  RouterState state;
  std::vector<Finding> findings;
  std::vector<Action> plan;
  // fix only
  std::optional<ExecutionReport> execution;
  std::optional<std::vector<Finding>> findings_after;
  std::string backup_path;
  std::optional<Timeline> timeline;  // the box's history from the journal, when known (HTML draws it)
  std::optional<Drift> drift;
};

// Writes the JSON report of audit, plan and fix (two-space indent, then a newline): one
// object, or an array of them for several reports. With `dry_run_box`, each automatic plan
// entry gets "would_send", the requests it would send (--dry-run). The long lists (mappings,
// findings, plan) are turned into JSON one entry at a time as they are written, never held
// whole: a report on 65,535 mappings would otherwise take hundreds of MiB.
void print_json(std::ostream& out, const std::vector<const Report*>& reports, bw::Box* dry_run_box = nullptr);
void print_json(std::ostream& out, const Report& r, bw::Box* dry_run_box = nullptr);
// With `dry_run_box`, the plan lists the requests each step would send.
void print_text(App& app, const Report& r, bw::Box* dry_run_box = nullptr);
// The parts of the text report, also used by fix before it asks.
void print_findings_text(App& app, const Report& r, const std::vector<Finding>& findings);
// "HIGH", in the person's language (text output only; JSON says "high").
std::string severity_label(Severity s);
void print_plan_text(App& app, const std::vector<Action>& plan, bool dry_run, bw::Box* box);

}  // namespace bw::cli
