// fleet/render.hpp: each output form escapes what the report files say (terminal escapes,
// markup, spreadsheet formulas) and marks the failing sites.
#include <optional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fleet/fleet.hpp"
#include "tests/unit/fleet_test_report.hpp"
#include "fleet/render.hpp"

namespace bw {
namespace {

using nlohmann::json;

using fleet_test::report;

TEST(FleetRender, EscapesForEachForm) {
  json r = report("critical", "=cmd|' /C calc'!A0 <b>\x1b[31m");
  auto rows = fleet::parse_rows(r.dump(), "a.json");
  std::ostringstream csv, html, junit, text;
  fleet::write_csv(csv, rows);
  fleet::write_html(html, rows, Severity::high, "2026-12-02T03:20:00Z");
  fleet::write_junit(junit, rows, Severity::high, "2026-12-02T03:20:00Z");
  fleet::write_text(text, rows, Severity::high);
  EXPECT_NE(csv.str().find("\n'=cmd"), std::string::npos) << csv.str();
  for (const std::string& out : {csv.str(), html.str(), junit.str(), text.str()}) {
    EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  }
  EXPECT_EQ(html.str().find("<b>"), std::string::npos);
  EXPECT_NE(html.str().find("&lt;b&gt;"), std::string::npos);
  EXPECT_NE(junit.str().find("<failure type=\"findings\""), std::string::npos) << junit.str();
  json doc = fleet::fleet_json(rows, Severity::high, "2026-12-02T03:20:00Z");
  EXPECT_EQ(doc["summary"]["exit_code"], 1);
  EXPECT_EQ(doc["sites"][0]["worst"], "critical");
}

}  // namespace
}  // namespace bw
