// One report for audit, plan and fix: built once as data, rendered as JSON (scripts) or
// as plain words (people). Untrusted text (descriptions, models) is escaped in both.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "discovery/discovery.hpp"
#include "plan/action.hpp"
#include "plan/executor.hpp"
#include "rules/finding.hpp"

namespace bw::cli {

class App;

struct Report {
  std::string command;      // audit, plan, fix
  std::string profile;
  std::string profile_summary;
  Discovered found;
  RouterState state;
  std::vector<Finding> findings;
  std::vector<Action> plan;
  // fix only
  std::optional<ExecutionReport> execution;
  std::optional<std::vector<Finding>> findings_after;
  std::string backup_path;
};

nlohmann::json to_json(const Report& r);
// The report with, for each automatic plan entry, "would_send": the requests (--dry-run).
nlohmann::json to_json_dry_run(const Report& r, const class Box& box);
// With `dry_run_box`, the plan lists the requests each step would send.
void print_text(App& app, const Report& r, const class Box* dry_run_box = nullptr);
// The parts of the text report, also used by fix before it asks.
void print_findings_text(App& app, const Report& r, const std::vector<Finding>& findings);
void print_plan_text(App& app, const std::vector<Action>& plan, bool dry_run, const class Box* box);

}  // namespace bw::cli
