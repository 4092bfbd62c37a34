// `boxwarden audit`: read the box and report findings; never changes anything.
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/inspect.hpp"

namespace bw::cli {

ExitCode cmd_audit(App& app) {
  size_t n = std::max<size_t>(1, app.opt().gateways.size());
  ExitCode worst = ExitCode::ok;
  nlohmann::json all = nlohmann::json::array();
  for (size_t i = 0; i < n; ++i) {
    Inspection in = inspect(app, "audit", i);
    if (app.opt().format == Format::json) {
      all.push_back(to_json(in.report));
    } else {
      if (i > 0) {
        app.out() << "\n";
      }
      print_text(app, in.report);
    }
    if (exit_for(in.report.findings, app.fail_on()) == ExitCode::findings) {
      worst = ExitCode::findings;
    }
  }
  if (app.opt().format == Format::json) {
    // One document: the report itself for one box, an array of reports for several.
    app.out() << (n == 1 ? all[0] : all).dump(2) << "\n";
  }
  return worst;
}

}  // namespace bw::cli
