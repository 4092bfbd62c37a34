// From journal records to the Timeline of one box (journal/timeline.hpp): per exposure, when
// it was first and last seen open, when it was closed and how (a fix closed and verified it,
// or a later read no longer saw it), how long it was open, and each time it came back after a
// fix. Fixes, rollbacks and VPN setups are the timeline's events.
#pragma once

#include <string>
#include <vector>

#include "journal/journal.hpp"
#include "journal/timeline.hpp"

namespace bw {

// The timeline of the box named by `box_id_or_address` (a box_id "sha256:..." or a LAN
// address): the records of the newest record that names it, matched by same_box(). Records
// are taken in journal order. Empty spans and events when the journal does not know the box.
Timeline build_timeline(const std::vector<JournalRecord>& records, const std::string& box_id_or_address);

// One reference per box of the journal (its box_id, else its address), newest box first.
std::vector<std::string> journal_boxes(const std::vector<JournalRecord>& records);

// Seconds from one RFC 3339 UTC time to another (0 when either cannot be read).
long long seconds_between(const std::string& from, const std::string& to);

}  // namespace bw
