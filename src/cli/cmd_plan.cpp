// `boxwarden plan`: what fix would do; reads the box, never writes.
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/inspect.hpp"

namespace bw::cli {

ExitCode cmd_plan(App& app) {
  Inspection in = inspect(app, "plan");
  if (app.opt().format == Format::json) {
    print_json(app.out(), in.report, app.opt().dry_run ? in.box.get() : nullptr);
  } else {
    print_text(app, in.report, app.opt().dry_run ? in.box.get() : nullptr);
  }
  return exit_for(in.report.findings, app.fail_on());
}

}  // namespace bw::cli
