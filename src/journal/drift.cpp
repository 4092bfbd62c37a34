#include "journal/drift.hpp"

#include <algorithm>
#include <set>

#include "core/i18n.hpp"
#include "core/text.hpp"
#include "journal/history.hpp"

namespace bw {

Drift compute_drift(const std::vector<JournalRecord>& records, const JournalRecord& now) {
  Drift d;
  std::vector<JournalRecord> mine;
  for (const auto& r : records) {
    if (same_box(r, now)) {
      mine.push_back(r);
    }
  }
  if (mine.empty()) {
    return d;
  }
  d.previous_at = mine.back().time;
  Timeline past = build_timeline(mine, mine.back().box_id.empty() ? mine.back().address : mine.back().box_id);
  std::set<std::string> before, current;
  for (const auto& e : mine.back().exposures) {
    before.insert(e.key);
  }
  for (const auto& e : now.exposures) {
    current.insert(e.key);
    if (before.count(e.key)) {
      continue;
    }
    auto span = std::find_if(past.spans.begin(), past.spans.end(), [&](const ExposureSpan& s) { return s.key == e.key; });
    if (span != past.spans.end() && span->closed_how == "fix") {
      d.reopened.push_back({e.key, e.label, span->closed_at});
    } else {
      d.opened.push_back({e.key, e.label, ""});
    }
  }
  for (const auto& e : mine.back().exposures) {
    if (!current.count(e.key)) {
      d.closed.push_back({e.key, e.label, ""});
    }
  }
  return d;
}

nlohmann::json to_json(const Drift& d) {
  nlohmann::json opened = nlohmann::json::array(), closed = nlohmann::json::array(),
                 reopened = nlohmann::json::array();
  for (const auto& i : d.opened) {
    opened.push_back(valid_utf8(i.key));
  }
  for (const auto& i : d.closed) {
    closed.push_back(valid_utf8(i.key));
  }
  for (const auto& i : d.reopened) {
    reopened.push_back({{"key", valid_utf8(i.key)}, {"fixed_at", i.fixed_at}});
  }
  return {{"previous_at", d.previous_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.previous_at)},
          {"new", std::move(opened)},
          {"closed", std::move(closed)},
          {"reopened", std::move(reopened)}};
}

void print_drift_text(std::ostream& out, const Drift& d) {
  if (d.previous_at.empty()) {
    return;
  }
  out << "\n" << fill(tr("Since the last record of this box ({date}):"), {{"date", d.previous_at}}) << "\n";
  for (const auto& i : d.reopened) {
    out << "  " << fill(tr("Reopened since the fix of {date}: {what}"), {{"date", i.fixed_at}, {"what", printable(i.label, 200)}})
        << "\n";
  }
  for (const auto& i : d.opened) {
    out << "  " << fill(tr("New since {date}: {what}"), {{"date", d.previous_at}, {"what", printable(i.label, 200)}}) << "\n";
  }
  for (const auto& i : d.closed) {
    out << "  " << fill(tr("Closed since {date}: {what}"), {{"date", d.previous_at}, {"what", printable(i.label, 200)}})
        << "\n";
  }
  if (d.reopened.empty() && d.opened.empty() && d.closed.empty()) {
    out << "  " << tr("Nothing changed.") << "\n";
  }
}

}  // namespace bw
