// The HTML report and the history timeline (src/report/): hostile text from the box or the
// journal is escaped and never becomes markup; the page is self-contained (no script, no URL);
// the profile's GDPR sentence is said once; the fix's page says what was closed, what remains
// by hand and how to undo; the SVG has one row per exposure, bars placed and sized by time.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <sstream>

#include "plan/planner.hpp"
#include "report/html.hpp"
#include "report/html_report.hpp"
#include "report/timeline_svg.hpp"
#include "rules/evaluator.hpp"
#include "rules/profile.hpp"
#include "tests/fakes/fake_router.hpp"

namespace bw::report {
namespace {

const std::string k_bidi = "\xe2\x80\xae";  // U+202E RIGHT-TO-LEFT OVERRIDE ("Trojan Source")
const std::string k_hostile = "<script>alert(\"x\")</script>'\"><img src=x onerror=alert(1)>" + k_bidi;

Profile medical() {
  return load_profile_file(std::string(BOXWARDEN_SOURCE_PROFILE_DIR) + "/medical-practice.profile");
}

// The doctor's box: DICOM and RDP to the doctor's PC, with hostile labels and model.
cli::Report doctor_report() {
  cli::Report r;
  r.command = "audit";
  r.profile = "medical-practice";
  r.site = "Cabinet " + k_hostile;
  r.generated_at = "2026-12-02T07:00:00Z";
  r.state.address = "192.168.1.1";
  r.state.vendor = "livebox";
  r.state.model = "Livebox " + k_hostile;
  r.state.firmware = "fw \"1\" & <b>2</b>";
  r.state.port_forwards.push_back(test::forward(Protocol::tcp, 11112, "192.168.1.10", k_hostile));
  r.state.port_forwards.push_back(test::forward(Protocol::tcp, 3389, "192.168.1.10", "RDP"));
  r.findings = evaluate(medical(), r.state);
  r.plan = make_plan(r.findings, Severity::high, r.state.address, [](const Action&) { return true; });
  return r;
}

std::string page(const cli::Report& r, const HtmlExtras& x) {
  std::ostringstream out;
  print_html(out, r, x);
  return out.str();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

// Self-contained and inert: no script, no tag with an event handler, a link or a URL, no CSS
// url(), no raw bidi control; the hostile text is there, as text. (A URL in the text is only
// words: the manual steps name the box's web interface, http://192.168.1.1.)
void expect_inert(const std::string& html) {
  std::string l = lower(html);
  EXPECT_EQ(l.find("<script"), std::string::npos);
  EXPECT_EQ(l.find("<img"), std::string::npos);
  EXPECT_EQ(l.find("url("), std::string::npos);
  std::regex tag("<[^>]*>");
  std::regex value("\"[^\"]*\"");  // an attribute's value: its quotes are escaped inside
  std::regex bad_attribute("\\s(src|href|on[a-z]+)\\s*=");
  for (auto it = std::sregex_iterator(l.begin(), l.end(), tag); it != std::sregex_iterator(); ++it) {
    std::string t = it->str();
    EXPECT_EQ(t.find("http"), std::string::npos) << t;
    EXPECT_EQ(t.find("//"), std::string::npos) << t;
    EXPECT_FALSE(std::regex_search(std::regex_replace(t, value, "\"\""), bad_attribute)) << t;
  }
  EXPECT_EQ(html.find(k_bidi), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
}

TEST(ReportHtml, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(html_escape("médical"), "médical");
  // Untrusted text: controls and bidi overrides become visible escapes, then markup is escaped.
  EXPECT_EQ(html_text("a" + k_bidi + "<b>\x1b[31m"), "a\\u202e&lt;b&gt;\\x1b[31m");
  EXPECT_EQ(html_text(std::string(500, 'x'), 10), "xxxxxxxxxx...");
}

TEST(ReportHtml, AuditPageIsSelfContainedWithHostileBoxText) {
  cli::Report r = doctor_report();
  std::string html = page(r, html_extras(medical(), Severity::high));
  expect_inert(html);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
  EXPECT_NE(html.find("@page{size:A4"), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);
  EXPECT_NE(html.find("page-break-inside:avoid"), std::string::npos);
  EXPECT_NE(html.find("Livebox &lt;script&gt;alert(&quot;x&quot;)"), std::string::npos);
  EXPECT_NE(html.find("fw &quot;1&quot; &amp; &lt;b&gt;2&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("2026-12-02T07:00:00Z"), std::string::npos);
  EXPECT_NE(html.find("medical-practice"), std::string::npos);
  EXPECT_NE(html.find("High risk"), std::string::npos);
  EXPECT_NE(html.find("#d32f2f"), std::string::npos);  // the high colour
}

TEST(ReportHtml, TheDataSentenceIsSaidOnceNotUnderEveryFinding) {
  cli::Report r = doctor_report();
  HtmlExtras x = html_extras(medical(), Severity::high);
  ASSERT_FALSE(x.data_reason.empty());
  size_t with_reason = static_cast<size_t>(std::count_if(r.findings.begin(), r.findings.end(), [&](const Finding& f) {
    return f.data_at_risk;
  }));
  ASSERT_GE(with_reason, 2u);  // the evaluator marks each finding that reaches the data
  std::string html = page(r, x);
  EXPECT_EQ(occurrences(html, html_escape(x.data_reason)), 1u);
}

TEST(ReportHtml, FixPageSaysWhatWasClosedWhatRemainsByHandAndHowToUndo) {
  cli::Report r = doctor_report();
  r.command = "fix";
  Action manual;
  manual.automatic = false;
  manual.summary = "Ask the ISP about its remote management rule";
  manual.manual_steps = "Call the ISP's support <and> ask them to close TCP port 7547.";
  r.plan.push_back(manual);
  ExecutionReport e;
  e.outcome = Outcome::applied;
  e.steps.push_back({"Close TCP port 11112 (to 192.168.1.10)", true, ""});
  e.after_known = true;
  r.execution = e;
  // After the fix, only the RDP forward is still there.
  RouterState after = r.state;
  after.port_forwards.erase(after.port_forwards.begin());
  r.findings_after = evaluate(medical(), after);
  r.backup_path = "/var/lib/boxwarden/backups/20261202T070000Z-192.168.1.1.json";
  std::string html = page(r, html_extras(medical(), Severity::high));
  expect_inert(html);
  EXPECT_NE(html.find("Closed and verified"), std::string::npos);
  EXPECT_NE(html.find("every change is in place (verified)"), std::string::npos);
  EXPECT_NE(html.find("Still open after the fix"), std::string::npos);
  EXPECT_NE(html.find("What remains to do by hand"), std::string::npos);
  EXPECT_NE(html.find("Call the ISP&#39;s support &lt;and&gt; ask them"), std::string::npos);
  EXPECT_NE(html.find("boxwarden rollback /var/lib/boxwarden/backups/20261202T070000Z-192.168.1.1.json"),
            std::string::npos);
  // The DICOM finding is closed, the RDP one remains: each in its own section.
  size_t closed = html.find("Closed and verified");
  size_t remains = html.find("Still open after the fix");
  ASSERT_LT(closed, remains);
  std::string closed_part = html.substr(closed, remains - closed);
  EXPECT_NE(closed_part.find("11112"), std::string::npos);
  EXPECT_EQ(closed_part.find("3389"), std::string::npos);
  EXPECT_NE(html.substr(remains).find("3389"), std::string::npos);
}

TEST(ReportHtml, DriftIsShownWithTheLabelsOfTheTimeline) {
  cli::Report r = doctor_report();
  Timeline t;
  t.spans.push_back({"EXPOSE-SERVICE|port_forward|TCP/11112|192.168.1.10", "EXPOSE-SERVICE", "DICOM " + k_hostile,
                     Severity::high, "2026-11-01T00:00:00Z", "2026-12-02T07:00:00Z", "", "", {}, 0});
  r.timeline = t;
  HtmlExtras x = html_extras(medical(), Severity::high);
  x.drift = DriftView{"2026-11-20T10:00:00Z", {}, {"UPNP-ENABLED|upnp_igd"},
                      {{"EXPOSE-SERVICE|port_forward|TCP/11112|192.168.1.10", "2026-11-15T09:00:00Z"}}};
  std::string html = page(r, x);
  expect_inert(html);
  EXPECT_NE(html.find("Closed since 2026-11-20T10:00:00Z"), std::string::npos);
  EXPECT_NE(html.find("Open again since the fix of 2026-11-15T09:00:00Z:</strong> DICOM &lt;script&gt;"),
            std::string::npos);
  EXPECT_NE(html.find("<svg class=\"timeline-svg\""), std::string::npos);
}

// The bars of an SVG: x and width of each <rect class="bar">, in document order.
std::vector<std::pair<double, double>> bars(const std::string& svg) {
  std::vector<std::pair<double, double>> out;
  std::regex bar("<rect class=\"bar\" x=\"([0-9.]+)\" y=\"[0-9.]+\" width=\"([0-9.]+)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), bar); it != std::sregex_iterator(); ++it) {
    out.emplace_back(std::stod((*it)[1]), std::stod((*it)[2]));
  }
  return out;
}

ExposureSpan span(const std::string& key, Severity s, const std::string& first, const std::string& last,
                  const std::string& closed, const std::string& how) {
  ExposureSpan e;
  e.key = key;
  e.rule = "EXPOSE-SERVICE";
  e.label = "exposure " + key;
  e.severity = s;
  e.first_seen = first;
  e.last_seen = last;
  e.closed_at = closed;
  e.closed_how = how;
  return e;
}

TEST(ReportTimelineSvg, OneRowPerSpanBarsOrderedAndScaledByTime) {
  Timeline t;
  t.first_record = "2026-11-01T00:00:00Z";
  t.last_record = "2026-11-11T00:00:00Z";
  // Given out of order: the rows follow first_seen.
  t.spans.push_back(span("b", Severity::medium, "2026-11-03T00:00:00Z", "2026-11-05T00:00:00Z",
                         "2026-11-07T00:00:00Z", "disappeared"));  // 4 days
  t.spans.push_back(span("a", Severity::critical, "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z",
                         "2026-11-03T00:00:00Z", "fix"));  // 2 days
  t.spans.push_back(span("c" + k_hostile, Severity::high, "2026-11-06T00:00:00Z", "2026-11-11T00:00:00Z", "",
                         ""));  // open, 5 days
  std::ostringstream out;
  write_timeline_svg(out, t);
  std::string svg = out.str();
  expect_inert(svg);
  EXPECT_EQ(occurrences(svg, "<g class=\"row "), 3u);
  std::vector<std::pair<double, double>> b = bars(svg);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_LT(b[0].first, b[1].first);
  EXPECT_LT(b[1].first, b[2].first);
  // Ten days over the plot's width: each bar's width and start are proportional to time.
  double per_day = b[0].second / 2;
  EXPECT_NEAR(b[1].second, 4 * per_day, 0.2);
  EXPECT_NEAR(b[2].second, 5 * per_day, 0.2);
  EXPECT_NEAR(b[1].first - b[0].first, 2 * per_day, 0.2);
  EXPECT_NEAR(b[2].first - b[0].first, 5 * per_day, 0.2);
  // Coloured by severity, in row order.
  size_t crit = svg.find("fill=\"#7b0000\"><title>");
  size_t med = svg.find("fill=\"#ef6c00\"><title>");
  size_t high = svg.find("fill=\"#d32f2f\"><title>");
  ASSERT_NE(crit, std::string::npos);
  EXPECT_LT(crit, med);
  EXPECT_LT(med, high);
  EXPECT_EQ(occurrences(svg, "class=\"fixed-marker\""), 1u);  // a closed by a fix
  // Dates on the axis.
  EXPECT_NE(svg.find(">2026-11-01<"), std::string::npos);
  EXPECT_NE(svg.find(">2026-11-11<"), std::string::npos);
}

TEST(ReportTimelineSvg, AReopenedExposureHasAGapAndMarkers) {
  Timeline t;
  ExposureSpan s = span("dicom", Severity::high, "2026-11-01T00:00:00Z", "2026-11-09T00:00:00Z",
                        "2026-11-10T00:00:00Z", "fix");
  s.reopened.push_back({"2026-11-06T00:00:00Z", "2026-11-03T00:00:00Z"});  // fixed on the 3rd, back on the 6th
  t.spans.push_back(s);
  t.events.push_back({"2026-11-03T00:00:00Z", "fix", "done", "closed <DICOM>"});
  t.events.push_back({"2026-11-10T00:00:00Z", "fix", "done", "closed DICOM again"});
  std::ostringstream out;
  write_timeline_svg(out, t);
  std::string svg = out.str();
  EXPECT_EQ(occurrences(svg, "<g class=\"row "), 1u);
  std::vector<std::pair<double, double>> b = bars(svg);
  ASSERT_EQ(b.size(), 2u);
  double per_day = b[0].second / 2;  // 1st to 3rd
  EXPECT_NEAR(b[1].first - b[0].first, 5 * per_day, 0.2);
  EXPECT_NEAR(b[1].second, 4 * per_day, 0.2);  // 6th to 10th
  EXPECT_EQ(occurrences(svg, "class=\"reopened-marker\""), 1u);
  EXPECT_EQ(occurrences(svg, "class=\"fixed-marker\""), 2u);
  EXPECT_EQ(occurrences(svg, "<g class=\"event\">"), 2u);
  EXPECT_NE(svg.find("closed &lt;DICOM&gt;"), std::string::npos);
}

TEST(ReportTimelineSvg, ParsesRfc3339) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), std::time_t{0});
  EXPECT_EQ(parse_rfc3339("2026-12-02T07:16:18Z"), std::time_t{1796195778});
  EXPECT_EQ(parse_rfc3339("2026-12-02T08:16:18.123+01:00"), std::time_t{1796195778});
  EXPECT_FALSE(parse_rfc3339("2026-12-02 07:16:18"));
  EXPECT_FALSE(parse_rfc3339("2026-13-02T07:16:18Z"));
  EXPECT_FALSE(parse_rfc3339(""));
  EXPECT_EQ(duration_words(3 * 86400 + 5), "3 days");
  EXPECT_EQ(duration_words(5 * 3600), "5 hours");
  EXPECT_EQ(duration_words(60), "1 minute");
}

TEST(ReportHistoryHtml, OneSectionPerBoxEscaped) {
  Timeline a;
  a.address = "192.168.1.1";
  a.model = "Livebox " + k_hostile;
  a.spans.push_back(span("x", Severity::high, "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z", "", ""));
  Timeline b;
  b.address = "10.0.0.1";
  std::ostringstream out;
  write_history_html(out, {a, b}, HtmlMeta{"2026-12-02T07:00:00Z", "Cabinet " + k_hostile});
  std::string html = out.str();
  expect_inert(html);
  EXPECT_EQ(occurrences(html, "<section class=\"box-section\">"), 2u);
  EXPECT_EQ(occurrences(html, "<svg class=\"timeline-svg\""), 2u);
  EXPECT_NE(html.find("Box Livebox &lt;script&gt;"), std::string::npos);
}

}  // namespace
}  // namespace bw::report
