// Drift: what changed on a box since the journal's last record of it. `audit` says what is
// new, what was closed, and what came back after a fix had closed it ("reopened since the
// fix of DATE"): the box restored old settings, a program re-opened a port by UPnP.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "journal/journal.hpp"

namespace bw {

struct DriftItem {
  std::string key;
  std::string label;     // in words
  std::string fixed_at;  // reopened: the time of the fix that had closed it
};

struct Drift {
  std::string previous_at;  // time of the last record of this box; "" when none
  std::vector<DriftItem> opened;    // JSON "new": open now, not open then (and not reopened)
  std::vector<DriftItem> closed;    // open then, not now
  std::vector<DriftItem> reopened;  // open now, closed by a fix since it was first seen
};

// `now` (not yet in the journal) against the earlier records of the same box.
Drift compute_drift(const std::vector<JournalRecord>& records, const JournalRecord& now);

// JSON: {"previous_at", "new": [key...], "closed": [key...], "reopened": [{"key", "fixed_at"}]}.
nlohmann::json to_json(const Drift& d);
// The text section after the findings; prints nothing when there is no earlier record.
void print_drift_text(std::ostream& out, const Drift& d);

}  // namespace bw
