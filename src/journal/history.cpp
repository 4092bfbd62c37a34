#include "journal/history.hpp"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include "core/i18n.hpp"

namespace bw {

namespace {

std::optional<std::time_t> parse_utc(const std::string& s) {
  std::tm tm{};
  if (s.size() < 20 || !strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) {
    return std::nullopt;
  }
  return timegm(&tm);
}

bool names(const JournalRecord& r, const std::string& ref) {
  return (!r.box_id.empty() && r.box_id == ref) || r.address == ref;
}

std::string event_summary(const JournalRecord& r) {
  size_t done = 0, manual = 0;
  for (const auto& a : r.actions) {
    done += a.outcome == "done";
    manual += a.outcome == "manual";
  }
  if (r.command == "fix") {
    if (r.outcome == "done") {
      std::string made = fill(trn("fix: {done} change made and verified", "fix: {done} changes made and verified", done),
                              {{"done", std::to_string(done)}});
      if (manual == 0) {
        return made;
      }
      return fill(trn("{made}; {manual} step left to do by hand", "{made}; {manual} steps left to do by hand", manual),
                  {{"made", made}, {"manual", std::to_string(manual)}});
    }
    return fill(tr("fix: {outcome}; the box was put back as it was"), {{"outcome", r.outcome}});
  }
  if (r.command == "rollback") {
    return r.outcome == "done" ? std::string(tr("rollback: the settings saved before a fix were put back"))
                               : fill(tr("rollback: {outcome}"), {{"outcome", r.outcome}});
  }
  if (r.command == "vpn") {
    return r.outcome == "done" ? std::string(tr("vpn: safe remote access (WireGuard) set up"))
                               : fill(tr("vpn: {outcome}"), {{"outcome", r.outcome}});
  }
  return r.command;
}

}  // namespace

long long seconds_between(const std::string& from, const std::string& to) {
  auto a = parse_utc(from);
  auto b = parse_utc(to);
  return a && b && *b > *a ? static_cast<long long>(*b - *a) : 0;
}

std::vector<std::string> journal_boxes(const std::vector<JournalRecord>& records) {
  std::vector<const JournalRecord*> refs;
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    if (std::none_of(refs.begin(), refs.end(), [&](const JournalRecord* r) { return same_box(*r, *it); })) {
      refs.push_back(&*it);
    }
  }
  std::vector<std::string> out;
  for (const auto* r : refs) {
    out.push_back(r->box_id.empty() ? r->address : r->box_id);
  }
  return out;
}

Timeline build_timeline(const std::vector<JournalRecord>& records, const std::string& ref) {
  Timeline t;
  auto newest = std::find_if(records.rbegin(), records.rend(), [&](const JournalRecord& r) { return names(r, ref); });
  if (newest == records.rend()) {
    t.address = ref.starts_with("sha256:") ? "" : ref;
    t.box_id = ref.starts_with("sha256:") ? ref : "";
    return t;
  }
  const JournalRecord& box = *newest;
  t.box_id = box.box_id;
  t.address = box.address;
  t.vendor = box.vendor;
  t.model = box.model;
  t.site = box.site;
  t.profile = box.profile;

  std::map<std::string, size_t> index;  // key -> spans[i]
  std::map<std::string, std::string> opened_at;  // key -> start of its current open period
  std::map<std::string, long long> open_before;  // key -> seconds of its earlier open periods
  auto span_of = [&](const JournalExposure& e, const std::string& time) -> ExposureSpan& {
    auto [it, fresh] = index.try_emplace(e.key, t.spans.size());
    if (fresh) {
      ExposureSpan s;
      s.key = e.key;
      s.rule = e.rule;
      s.first_seen = time;
      t.spans.push_back(std::move(s));
    }
    ExposureSpan& s = t.spans[it->second];
    s.label = e.label;
    s.severity = std::max(s.severity, e.severity);
    return s;
  };
  auto close = [&](ExposureSpan& s, const std::string& time, const char* how) {
    s.closed_at = time;
    s.closed_how = how;
    open_before[s.key] += seconds_between(opened_at[s.key], time);
  };
  // One read of the box at `time` saw `list` open: what was closed and is seen again reopens
  // (after a fix: a reopening), what was open and is not seen is closed, by this fix when
  // `by_fix`, else it disappeared.
  auto observe = [&](const std::vector<JournalExposure>& list, const std::string& time, bool by_fix) {
    std::set<std::string> seen;
    for (const auto& e : list) {
      ExposureSpan& s = span_of(e, time);
      if (!s.closed_at.empty()) {
        if (s.closed_how == "fix") {
          s.reopened.push_back({time, s.closed_at});
        }
        s.closed_at.clear();
        s.closed_how.clear();
        opened_at.erase(s.key);
      }
      opened_at.try_emplace(s.key, time);
      s.last_seen = time;
      seen.insert(e.key);
    }
    for (auto& s : t.spans) {
      if (s.closed_at.empty() && !seen.count(s.key)) {
        close(s, time, by_fix ? "fix" : "disappeared");
      }
    }
  };

  for (const auto& r : records) {
    if (!same_box(box, r)) {
      continue;
    }
    if (t.first_record.empty()) {
      t.first_record = r.time;
    }
    t.last_record = r.time;
    if (r.command != "audit") {
      t.events.push_back({r.time, r.command, r.outcome, event_summary(r)});
    }
    // A fix read the box twice: before (exposures_before) and after its changes (exposures).
    if (r.exposures_before) {
      observe(*r.exposures_before, r.time, false);
      observe(r.exposures, r.time, r.outcome == "done");
    } else {
      observe(r.exposures, r.time, false);
    }
  }
  for (auto& s : t.spans) {
    s.open_seconds = open_before[s.key] + (s.closed_at.empty() ? seconds_between(opened_at[s.key], s.last_seen) : 0);
  }
  return t;
}

}  // namespace bw
