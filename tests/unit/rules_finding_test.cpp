// Findings as JSON (the report's contract) and the counts behind exit codes.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "rules/evaluator.hpp"
#include "rules/finding.hpp"

namespace bw {
namespace {

Finding forward_finding() {
  PortForward pf;
  pf.protocol = Protocol::tcp;
  pf.external_port = 11112;
  pf.external_port_end = 11112;
  pf.internal_host = "192.168.1.10";
  pf.internal_port = 11112;
  pf.description = "bad \xff\xfe bytes";
  pf.origin = {"upnp"};
  Finding f;
  f.rule = "EXPOSE-SERVICE";
  f.severity = Severity::critical;
  f.title = "t";
  f.why = "w";
  f.subject.kind = SubjectKind::port_forward;
  f.subject.forward = pf;
  f.action = "delete-port-forward";
  f.service = "DICOM (medical imaging)";
  f.service_class = "health";
  f.service_id = "dicom";
  return f;
}

TEST(RulesFinding, PortForwardJsonHasTheReportFields) {
  nlohmann::json j = to_json(forward_finding());
  EXPECT_EQ(j["rule"], "EXPOSE-SERVICE");
  EXPECT_EQ(j["severity"], "critical");
  EXPECT_EQ(j["action"], "delete-port-forward");
  EXPECT_EQ(j["allowed"], false);
  EXPECT_EQ(j["service_class"], "health");
  EXPECT_EQ(j["service_id"], "dicom");
  const nlohmann::json& s = j["subject"];
  EXPECT_EQ(s["kind"], "port_forward");
  EXPECT_EQ(s["protocol"], "TCP");
  EXPECT_EQ(s["external_port"], 11112);
  EXPECT_EQ(s["external_port_end"], 11112);
  EXPECT_EQ(s["internal_host"], "192.168.1.10");
  EXPECT_EQ(s["internal_port"], 11112);
  EXPECT_EQ(s["origin"], nlohmann::json::array({"upnp"}));
  EXPECT_TRUE(s.contains("description"));
  EXPECT_NO_THROW((void)j.dump());  // invalid UTF-8 from the box must not break the report
}

TEST(RulesFinding, OtherSubjects) {
  Subject dmz;
  dmz.kind = SubjectKind::dmz;
  dmz.dmz = Dmz();
  dmz.dmz->enabled = true;
  dmz.dmz->host = "192.168.1.10";
  EXPECT_EQ(to_json(dmz), (nlohmann::json{{"kind", "dmz"}, {"host", "192.168.1.10"}}));

  Subject unknown;
  unknown.kind = SubjectKind::unknown_field;
  unknown.field = "remote_admin";
  EXPECT_EQ(to_json(unknown), (nlohmann::json{{"kind", "unknown_field"}, {"field", "remote_admin"}}));

  Subject upnp;
  upnp.kind = SubjectKind::upnp_igd;
  EXPECT_EQ(to_json(upnp)["kind"], "upnp_igd");
  EXPECT_EQ(to_string(SubjectKind::remote_admin), "remote_admin");
}

TEST(RulesFinding, CountsAndThreshold) {
  std::vector<Finding> findings(3, forward_finding());
  findings[1].severity = Severity::low;
  findings[2].severity = Severity::info;
  findings[2].allowed = true;
  FindingCounts c = count(findings);
  EXPECT_EQ(c.critical, 1);
  EXPECT_EQ(c.low, 1);
  EXPECT_EQ(c.info, 1);
  EXPECT_EQ(c.high + c.medium, 0);
  EXPECT_TRUE(any_at_or_above(findings, Severity::high));
  findings.erase(findings.begin());
  EXPECT_FALSE(any_at_or_above(findings, Severity::medium));
  EXPECT_TRUE(any_at_or_above(findings, Severity::low));
  findings.erase(findings.begin());
  EXPECT_FALSE(any_at_or_above(findings, Severity::info)) << "allowed openings never fail an audit";
}

TEST(RulesFinding, ReadmeDocumentsEveryRuleId) {
  std::ifstream in(std::string(BOXWARDEN_SOURCE_PROFILE_DIR) + "/README.md");
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty());
  for (const RuleInfo& r : rules()) {
    EXPECT_NE(text.str().find("`" + std::string(r.id) + "`"), std::string::npos) << r.id;
  }
}

}  // namespace
// Without a catalogued service the three service fields are null, not missing: a script
// reads them without testing for the key.
TEST(RulesFinding, ServiceFieldsAreNullWithoutAService) {
  Finding f = forward_finding();
  f.service.clear();
  f.service_class.clear();
  f.service_id.clear();
  nlohmann::json j = to_json(f);
  for (const char* key : {"service", "service_id", "service_class"}) {
    ASSERT_TRUE(j.contains(key)) << key;
    EXPECT_TRUE(j[key].is_null()) << key;
  }
  EXPECT_EQ(Finding().action, "none");  // never "": a finding with no action says so
}

}  // namespace bw
