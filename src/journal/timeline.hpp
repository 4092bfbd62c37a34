// The history of one box's exposures, as the journal tells it: what the HTML report draws as
// a timeline, `history` lists, and `breach` drafts from. Built from journal records
// (journal/history.hpp); rendered by the text, JSON and HTML writers. Times are UTC, RFC 3339.
#pragma once

#include <string>
#include <vector>

#include "core/severity.hpp"

namespace bw {

// One exposure (a finding's stable key) across the records of one box.
struct ExposureSpan {
  std::string key;          // stable across runs: journal/exposure_key.hpp
  std::string rule;         // EXPOSE-SERVICE, ...
  std::string label;        // what it is, in words ("DICOM (medical imaging) to 192.168.1.10, TCP 11112")
  Severity severity = Severity::info;  // the worst it was judged
  std::string first_seen;   // the first record that saw it open ("at least since")
  std::string last_seen;    // the last record that saw it open
  std::string closed_at;    // "" while open: the first record that no longer saw it
  std::string closed_how;   // "fix" (a fix closed and verified it), "disappeared", "" while open
  // Each time it was seen open again after a fix had closed it: when, and that fix's time.
  struct Reopening {
    std::string seen_at;
    std::string fixed_at;
  };
  std::vector<Reopening> reopened;
  long long open_seconds = 0;  // the open periods added up (first seen to closed, each time; to last seen while open)
};

// A dated event on the timeline that is not an exposure: a fix, a rollback, a VPN setup.
struct TimelineEvent {
  std::string time;
  std::string command;   // "fix", "rollback", "vpn"
  std::string outcome;   // "done", "rolled-back", "interrupted", "failed"
  std::string summary;   // in words, for people
};

struct Timeline {
  std::string box_id;    // "sha256:..." or "" when the box gave no identity
  std::string address;   // the box's LAN address in its latest record
  std::string vendor;
  std::string model;
  std::string site;      // latest --site, "" = none
  std::string profile;   // latest profile
  std::string first_record;  // time of the oldest record of this box
  std::string last_record;   // time of the newest
  std::vector<ExposureSpan> spans;   // oldest first_seen first
  std::vector<TimelineEvent> events; // oldest first
};

}  // namespace bw
