// What every JSON document carries (cli/document.hpp): schema_version, generated_at in UTC,
// site; --site labels checked; a report carries them and gateway.box_id, never the serial.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "cli/document.hpp"
#include "cli/report.hpp"

namespace bw::cli {
namespace {

TEST(CliDocument, StampAddsVersionTimeAndSite) {
  nlohmann::json doc = nlohmann::json::object();
  stamp(doc, "clinic-lyon");
  EXPECT_EQ(doc["schema_version"], 1);
  EXPECT_EQ(doc["site"], "clinic-lyon");
  std::string t = doc["generated_at"];
  EXPECT_TRUE(std::regex_match(t, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"))) << t;
  nlohmann::json none = stamped(nlohmann::json::object(), "");
  EXPECT_TRUE(none["site"].is_null());
  nlohmann::json fixed = nlohmann::json::object();
  stamp(fixed, "", "2026-12-02T03:20:00Z");
  EXPECT_EQ(fixed["generated_at"], "2026-12-02T03:20:00Z");
}

TEST(CliDocument, SiteLabels) {
  EXPECT_EQ(site_label_problem("clinic-lyon"), "");
  EXPECT_EQ(site_label_problem("Cabinet médical — Lyon 3e"), "");
  EXPECT_EQ(site_label_problem(std::string(64, 'a')), "");
  EXPECT_EQ(site_label_problem(std::string(32, '\xc3')), "it is not valid UTF-8");
  std::string e64;
  for (int i = 0; i < 64; ++i) {
    e64 += "\xc3\xa9";  // 64 characters, 128 bytes: fine
  }
  EXPECT_EQ(site_label_problem(e64), "");
  EXPECT_EQ(site_label_problem(std::string(65, 'a')), "it is longer than 64 characters");
  EXPECT_EQ(site_label_problem(""), "it is empty");
  EXPECT_EQ(site_label_problem("a\nb"), "it holds a control character");
  EXPECT_EQ(site_label_problem("a\x1b[31m"), "it holds a control character");
  EXPECT_EQ(site_label_problem("a\xc2\x85"), "it holds a control character");  // NEL (C1)
  EXPECT_EQ(site_label_problem("a\xff"), "it is not valid UTF-8");
  EXPECT_EQ(site_label_problem("\xc0\xaf"), "it is not valid UTF-8");  // overlong '/'
  EXPECT_EQ(site_label_problem("\xed\xa0\x80"), "it is not valid UTF-8");  // a surrogate
}

TEST(CliDocument, AReportCarriesTheHeaderAndTheBoxIdNotTheSerial) {
  Report r;
  r.command = "audit";
  r.site = "clinic-lyon";
  r.generated_at = "2026-12-02T03:20:00Z";
  r.state.address = "192.168.1.1";
  r.state.box_identity = "livebox-serial:LK00000EMU00001";
  std::ostringstream out;
  print_json(out, r);
  EXPECT_EQ(out.str().find("LK00000EMU00001"), std::string::npos);
  nlohmann::json j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["site"], "clinic-lyon");
  EXPECT_EQ(j["generated_at"], "2026-12-02T03:20:00Z");
  std::string id = j["gateway"]["box_id"];
  EXPECT_TRUE(std::regex_match(id, std::regex("sha256:[0-9a-f]{32}"))) << id;
  r.state.box_identity.clear();
  std::ostringstream unknown;
  print_json(unknown, r);
  EXPECT_TRUE(nlohmann::json::parse(unknown.str())["gateway"]["box_id"].is_null());
  // Several reports: each element carries the header.
  std::ostringstream two;
  print_json(two, std::vector<const Report*>{&r, &r});
  for (const auto& e : nlohmann::json::parse(two.str())) {
    EXPECT_EQ(e["schema_version"], 1);
    EXPECT_EQ(e["site"], "clinic-lyon");
  }
}

}  // namespace
}  // namespace bw::cli
