// Test-only: writes the history page (report::write_history_html) for a history document read
// from the file named by argv[1] (the shape of `boxwarden history --format json`: boxes with
// exposures and events). Lets tests/cli/html_report_test.py render a timeline in Chromium
// before `history --format html` is wired to the journal. Exit 2 on a bad file.
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "core/severity.hpp"
#include "report/html_report.hpp"

namespace {

std::string text(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: boxwarden_history_html HISTORY.json\n";
    return 2;
  }
  try {
    std::ifstream in(argv[1]);
    nlohmann::json doc = nlohmann::json::parse(in);
    std::vector<bw::Timeline> timelines;
    for (const auto& b : doc.at("boxes")) {
      bw::Timeline t;
      t.box_id = text(b, "box_id");
      t.address = text(b, "address");
      t.vendor = text(b, "vendor");
      t.model = text(b, "model");
      t.site = text(b, "site");
      t.profile = text(b, "profile");
      t.first_record = text(b, "first_record");
      t.last_record = text(b, "last_record");
      for (const auto& e : b.at("exposures")) {
        bw::ExposureSpan s;
        s.key = text(e, "key");
        s.rule = text(e, "rule");
        s.label = text(e, "label");
        s.severity = bw::parse_severity(text(e, "severity")).value_or(bw::Severity::info);
        s.first_seen = text(e, "first_seen");
        s.last_seen = text(e, "last_seen");
        s.closed_at = text(e, "closed_at");
        s.closed_how = text(e, "closed_how");
        s.open_seconds = e.value("open_seconds", 0LL);
        for (const auto& r : e.value("reopened", nlohmann::json::array())) {
          s.reopened.push_back({text(r, "seen_at"), text(r, "fixed_at")});
        }
        t.spans.push_back(s);
      }
      for (const auto& e : b.value("events", nlohmann::json::array())) {
        t.events.push_back({text(e, "time"), text(e, "command"), text(e, "outcome"), text(e, "summary")});
      }
      timelines.push_back(t);
    }
    bw::report::write_history_html(std::cout, timelines, {text(doc, "generated_at"), text(doc, "site")});
  } catch (const std::exception& e) {
    std::cerr << "boxwarden_history_html: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
