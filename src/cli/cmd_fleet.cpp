// `boxwarden fleet FILE|DIR...`: one table from the reports of many boxes (fleet/fleet.hpp).
// Touches no network: it only reads files.
#include <nlohmann/json.hpp>

#include "core/utc_time.hpp"
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "fleet/fleet.hpp"
#include "fleet/render.hpp"

namespace bw::cli {

ExitCode cmd_fleet(App& app) {
  Severity threshold = app.fail_on();
  std::vector<fleet::Row> rows = fleet::read_rows(app.opt().args);
  std::string now = utc_now();
  std::ostream& out = app.out();
  switch (app.opt().format) {
    case Format::json:
      out << fleet::fleet_json(rows, threshold, now).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
          << "\n";
      break;
    case Format::csv:
      fleet::write_csv(out, rows);
      break;
    case Format::html:
      fleet::write_html(out, rows, threshold, now);
      break;
    case Format::junit:
      fleet::write_junit(out, rows, threshold, now);
      break;
    default:
      fleet::write_text(out, rows, threshold);
  }
  out.flush();
  return fleet::fleet_exit(rows, threshold);
}

}  // namespace bw::cli
