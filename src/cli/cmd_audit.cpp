// `boxwarden audit`: read the box and report findings; never changes anything.
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/inspect.hpp"

namespace bw::cli {

ExitCode cmd_audit(App& app) {
  size_t n = std::max<size_t>(1, app.opt().gateways.size());
  ExitCode worst = ExitCode::ok;
  std::vector<Report> reports;  // for JSON: one document once every box has answered
  for (size_t i = 0; i < n; ++i) {
    Inspection in = inspect(app, "audit", i);
    if (app.opt().format == Format::json) {
      reports.push_back(std::move(in.report));
    } else {
      if (i > 0) {
        app.out() << "\n";
      }
      print_text(app, in.report);
    }
    const Report& r = app.opt().format == Format::json ? reports.back() : in.report;
    if (exit_for(r.findings, app.fail_on()) == ExitCode::findings) {
      worst = ExitCode::findings;
    }
  }
  if (app.opt().format == Format::json) {
    // One document: the report itself for one box, an array of reports for several.
    std::vector<const Report*> all;
    for (const auto& r : reports) {
      all.push_back(&r);
    }
    print_json(app.out(), all);
  }
  return worst;
}

}  // namespace bw::cli
