// The JSON report is written entry by entry (cli/report.cpp); it must be exactly the document
// nlohmann's dump(2) gives for the same data, valid UTF-8 whatever the box sent.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/report.hpp"
#include "plan/planner.hpp"
#include "rules/evaluator.hpp"
#include "rules/profile.hpp"
#include "tests/fakes/fake_router.hpp"

namespace bw::cli {
namespace {

// The test router's forward, with what only a backup keeps (vendor_data must stay out of reports).
PortForward forward(uint16_t port, const std::string& host, const std::string& description) {
  PortForward f = test::forward(Protocol::tcp, port, host, description);
  f.vendor_data = {{"kept", "only in backups"}};
  return f;
}

Report doctor_report(size_t extra_forwards) {
  Report r;
  r.command = "fix";
  r.profile = "medical-practice";
  r.state.address = "192.168.1.1";
  r.state.vendor = "Orange";
  r.state.model = "Livebox\x1b[31m 6";
  r.state.port_forwards.push_back(forward(11112, "192.168.1.10", "DICOM \xff\xfe bad UTF-8"));
  r.state.port_forwards.push_back(forward(3389, "192.168.1.10", "RDP \"quoted\"\n"));
  for (size_t i = 0; i < extra_forwards; ++i) {
    r.state.port_forwards.push_back(forward(static_cast<uint16_t>(20000 + i), "192.168.1.20", "game"));
  }
  Profile p = load_profile_file(std::string(BOXWARDEN_SOURCE_PROFILE_DIR) + "/medical-practice.profile");
  r.findings = evaluate(p, r.state);
  r.plan = make_plan(r.findings, Severity::high, r.state.address, [](const Action&) { return true; });
  ExecutionReport e;
  e.outcome = Outcome::applied;
  e.steps.push_back({"Close TCP port 11112", true, ""});
  r.execution = e;
  r.findings_after = std::vector<Finding>{};
  r.backup_path = "/state/backups/x.json";
  return r;
}

std::string written(const std::vector<const Report*>& reports) {
  std::ostringstream out;
  print_json(out, reports);
  return out.str();
}

TEST(CliReport, JsonIsExactlyTheIndentedDocument) {
  Report r = doctor_report(3);
  std::string text = written({&r});
  nlohmann::json j = nlohmann::json::parse(text);  // throws on invalid JSON or UTF-8
  EXPECT_EQ(j.dump(2) + "\n", text);
  ASSERT_EQ(j["state"]["port_forwards"].size(), 5u);
  EXPECT_EQ(j["state"]["port_forwards"][1]["description"], "RDP \"quoted\"\n");
  EXPECT_FALSE(j["state"]["port_forwards"][0].contains("vendor_data"));
  EXPECT_EQ(j["findings"].size(), r.findings.size());
  EXPECT_GE(j["findings"].size(), 2u);
  EXPECT_EQ(j["plan"].size(), r.plan.size());
  EXPECT_FALSE(j["plan"][0].contains("target_forward"));
  EXPECT_EQ(j["fix"]["outcome"], "applied");
  EXPECT_TRUE(j["fix"]["findings_after"].is_array());
  EXPECT_TRUE(j["fix"]["findings_after"].empty());
  EXPECT_EQ(j["summary"]["critical"].get<int>() + j["summary"]["high"].get<int>() > 0, true);
}

TEST(CliReport, SeveralReportsMakeOneArray) {
  Report a = doctor_report(0);
  Report b = doctor_report(1);
  b.state.address = "192.168.2.1";
  std::string text = written({&a, &b});
  nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_EQ(j.dump(2) + "\n", text);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[1]["gateway"]["address"], "192.168.2.1");
  EXPECT_EQ(j[1]["state"]["port_forwards"].size(), 3u);
}

TEST(CliReport, EmptyListsStayEmptyArrays) {
  Report r;
  r.command = "audit";
  r.profile = "home";
  std::string text = written({&r});
  nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_EQ(j.dump(2) + "\n", text);
  EXPECT_TRUE(j["findings"].is_array() && j["findings"].empty());
  EXPECT_TRUE(j["state"]["port_forwards"].is_array());
  EXPECT_FALSE(j.contains("fix"));
}

}  // namespace
}  // namespace bw::cli
