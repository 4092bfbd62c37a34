// fleet/fleet.hpp and fleet/render.hpp: report files read back as rows (hostile input refused
// with the file named), the worst exit, the box's label, and escaping in each output form.
// net/answer_watch.hpp: which failures count as an answer from the box.
#include <optional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/deadline.hpp"
#include "fleet/exit_order.hpp"
#include "fleet/fleet.hpp"
#include "fleet/render.hpp"
#include "net/answer_watch.hpp"

namespace bw {
namespace {

using nlohmann::json;

json report(const std::string& severity, const std::string& site = "") {
  json r = {{"tool", {{"name", "boxwarden"}}},
            {"command", "audit"},
            {"gateway", {{"address", "192.168.1.1"}, {"vendor", "livebox"}, {"model", "Livebox 7"}}},
            {"findings", json::array({{{"rule", "R"}, {"severity", severity}, {"subject", {{"kind", "dmz"}}}}})},
            {"summary", {{"critical", 0}, {"high", 0}, {"medium", 0}, {"low", 0}, {"info", 0}}}};
  r["summary"][severity] = 1;
  if (!site.empty()) {
    r["site"] = site;
  }
  return r;
}

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

// Fails every request with `failure` (or answers 404 without one).
class Failing : public HttpClient {
 public:
  explicit Failing(std::optional<HttpFailure> failure) : m_failure(failure) {}
  HttpResponse perform(const HttpRequest&, const Deadline&) override {
    if (m_failure) {
      throw HttpError(*m_failure, "fake");
    }
    HttpResponse r;
    r.status = 404;
    return r;
  }

 private:
  std::optional<HttpFailure> m_failure;
};

TEST(AnswerWatch, OnlyAnAnswerFromTheOtherEndCounts) {
  Deadline deadline(std::chrono::seconds(5));
  auto answered = [&](std::optional<HttpFailure> f) {
    Failing inner(f);
    AnswerWatchHttpClient watch(inner);
    try {
      watch.perform(HttpRequest{}, deadline);
    } catch (const HttpError&) {
    }
    return watch.answered();
  };
  EXPECT_TRUE(answered(std::nullopt));
  EXPECT_TRUE(answered(HttpFailure::not_http));
  EXPECT_TRUE(answered(HttpFailure::untrusted));
  EXPECT_FALSE(answered(HttpFailure::refused));
  EXPECT_FALSE(answered(HttpFailure::timeout));
  EXPECT_FALSE(answered(HttpFailure::other));
}

}  // namespace
}  // namespace bw
