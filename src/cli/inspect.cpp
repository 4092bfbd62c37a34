#include "cli/inspect.hpp"

#include "cli/app.hpp"
#include "cli/document.hpp"
#include "plan/planner.hpp"
#include "rules/evaluator.hpp"
#include "rules/profile.hpp"
#include "rules/wording.hpp"

namespace bw::cli {

Inspection inspect(App& app, const std::string& command, size_t gateway_index) {
  Profile profile = app.profile();  // a bad profile is a usage error before any network I/O
  Severity threshold = app.fail_on();
  Inspection in;
  in.report.command = command;
  in.report.site = app.opt().site;
  in.report.generated_at = utc_now();
  in.report.profile = profile.name;
  in.report.profile_summary = profile.summary;
  in.report.data_reason = wording::data_reason(profile.data_class);
  in.report.found = app.discover(gateway_index);
  in.box = app.connect(in.report.found);
  judge(app, in, in.box->read_state(), profile, threshold);
  return in;
}

void judge(App& app, Inspection& in, RouterState state) {
  judge(app, in, std::move(state), app.profile(), app.fail_on());
}

void judge(App&, Inspection& in, RouterState state, const Profile& profile, Severity threshold) {
  in.report.state = std::move(state);
  in.report.findings = evaluate(profile, in.report.state);
  Box* box = in.box.get();
  in.report.plan = make_plan(in.report.findings, threshold, in.report.state.address,
                             [box](const Action& a) { return box->can_apply(a); }, profile.delete_managed_forwards,
                             menus_of(in.report.state.vendor_data));
}

ExitCode exit_for(const std::vector<Finding>& findings, Severity threshold) {
  return any_at_or_above(findings, threshold) ? ExitCode::findings : ExitCode::ok;
}

}  // namespace bw::cli
