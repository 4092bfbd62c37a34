// fleet/fleet.hpp: report files read back as rows (hostile input refused with the file and
// line named), the worst exit (fleet/exit_order.hpp) and the box's label.
#include <optional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fleet/exit_order.hpp"
#include "fleet/fleet.hpp"
#include "tests/unit/fleet_test_report.hpp"

namespace bw {
namespace {

using nlohmann::json;

using fleet_test::report;

std::string usage_message(const std::string& text, const std::string& name) {
  try {
    fleet::parse_rows(text, name);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    return e.what();
  }
  ADD_FAILURE() << "no error for " << text;
  return "";
}

TEST(FleetRows, ReportsErrorsArraysAndLines) {
  json error = {{"command", "audit"},
                {"error", {{"exit_code", 4}, {"kind", "auth"}, {"message", "refused"}}},
                {"gateway", {{"address", "10.0.0.2"}}}};
  auto rows = fleet::parse_rows(json::array({report("high"), error}).dump(), "/r/site7.json");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].site, "site7");  // no "site": the file name without .json
  EXPECT_EQ(rows[0].worst, Severity::high);
  EXPECT_EQ(rows[0].counts.high, 1);
  EXPECT_EQ(fleet::box_label(rows[0]), "192.168.1.1");
  ASSERT_TRUE(rows[1].error.has_value());
  EXPECT_EQ(rows[1].error->exit_code, ExitCode::auth);
  EXPECT_FALSE(rows[1].worst.has_value());
  EXPECT_EQ(fleet::fleet_exit(rows, Severity::high), ExitCode::auth);
  EXPECT_EQ(fleet::row_exit(rows[0], Severity::critical), ExitCode::ok);

  auto lines = fleet::parse_rows(report("low", "Site A").dump() + "\n\n" + report("critical").dump() + "\n", "x.jsonl");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].site, "Site A");
  EXPECT_EQ(lines[1].site, "x");
  EXPECT_EQ(fleet::fleet_exit(lines, Severity::high), ExitCode::findings);
}

TEST(FleetRows, BoxIdIsShownShort) {
  json r = report("info");
  r["gateway"]["box_id"] = "sha256:0123456789abcdef0123456789abcdef";
  auto rows = fleet::parse_rows(r.dump(), "a.json");
  EXPECT_EQ(fleet::box_label(rows.at(0)), "sha256:0123456789ab");
}

TEST(FleetRows, HostileInputNamesTheFileAndLine) {
  EXPECT_NE(usage_message("{", "a.json").find("a.json: not JSON"), std::string::npos);
  EXPECT_NE(usage_message(report("high").dump() + "\n{x\n", "b.jsonl").find("b.jsonl:2: not a JSON line"),
            std::string::npos);
  EXPECT_NE(usage_message("{\"a\": 1}", "c.json").find("neither a boxwarden report nor an error document"),
            std::string::npos);
  json bad_code = {{"error", {{"exit_code", 42}, {"kind", "auth"}}}};
  EXPECT_NE(usage_message(bad_code.dump(), "d.json").find("exit status"), std::string::npos);
  json bad_severity = report("high");
  bad_severity["findings"][0]["severity"] = "apocalyptic";
  EXPECT_NE(usage_message(bad_severity.dump(), "e.json").find("severity"), std::string::npos);
  json negative = report("high");
  negative["summary"]["high"] = -3;
  EXPECT_NE(usage_message(negative.dump(), "f.json").find("summary.high"), std::string::npos);
}

TEST(FleetRows, ExitOrderPutsBusyAboveSixAndInternalLast) {
  EXPECT_EQ(fleet::worse(ExitCode::rollback_failed, ExitCode::busy), ExitCode::busy);
  EXPECT_EQ(fleet::worse(ExitCode::internal, ExitCode::busy), ExitCode::internal);
  EXPECT_EQ(fleet::worse(ExitCode::findings, ExitCode::ok), ExitCode::findings);
  EXPECT_EQ(fleet::worse(ExitCode::unreachable, ExitCode::auth), ExitCode::auth);
}

}  // namespace
}  // namespace bw
