// The part audit, plan and fix share: find the box, read it, judge it, plan.
#pragma once

#include <memory>

#include "cli/report.hpp"
#include "core/error.hpp"
#include "discovery/box.hpp"
#include "rules/profile.hpp"

namespace bw::cli {

struct Inspection {
  Report report;
  std::unique_ptr<Box> box;
};

Inspection inspect(App& app, const std::string& command, size_t gateway_index = 0);

// Judges `state` (a read of in.box) against the profile: the report's state, findings and plan
// are replaced. fix calls it again on a read taken after the person said yes.
void judge(App& app, Inspection& in, RouterState state);
void judge(App& app, Inspection& in, RouterState state, const Profile& profile, Severity threshold);

// 1 when any finding is at or above the threshold, else 0.
ExitCode exit_for(const std::vector<Finding>& findings, Severity threshold);

}  // namespace bw::cli
