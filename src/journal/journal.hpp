// The journal: <state-dir>/journal.jsonl, one record per audit, fix, rollback and vpn run, so
// that a practice can show what was open, since when, and what was done about it (GDPR Art.
// 30, 32(1)(d), 33(5)). Each line is one JSON object; each record holds the SHA-256 of the line
// before it (`prev`) and of itself (`hash`), so an edited, removed or reordered record is found
// by verify_journal(). Appends are one write(2) of a whole line (O_APPEND, fsync) under flock
// and a process mutex: concurrent runs and the worker threads of `audit -g A -g B` never
// interleave. A torn last line (a crash) is left as it is: the next record starts on a new line
// and chains from the last whole record; verify reports the torn line.
#pragma once

#include <cstddef>
#include <optional>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/severity.hpp"

namespace bw {

struct JournalExposure {
  std::string key;           // journal/exposure_key.hpp
  std::string rule;
  Severity severity = Severity::info;
  std::string service_id;    // "" when none
  std::string subject_kind;  // "port_forward", "dmz", ...
  std::string label;         // the finding's title, in words
};

struct JournalAction {
  std::string action;   // "delete-port-forward", ..., "manual"
  std::string key;      // the exposure it acts on
  std::string outcome;  // done, rolled-back, interrupted, failed, manual
};

struct JournalRecord {
  long long seq = 0;          // set by append_record
  std::string time;           // UTC, RFC 3339
  std::string tool_version;
  std::string command;        // audit, fix, rollback, vpn
  std::string site;           // "" = null
  std::string box_id;         // "" = null
  std::string address;
  std::string vendor;
  std::string model;
  std::string profile;
  std::vector<JournalExposure> exposures;  // open when the box was read (fix: after the fix)
  std::optional<std::vector<JournalExposure>> exposures_before;  // fix: open before it
  std::vector<JournalAction> actions;
  std::string outcome;        // done, rolled-back, interrupted, failed
  std::string backup;         // "" = null
  std::string prev;           // set by append_record
  std::string hash;           // set by append_record
  size_t line = 0;            // read_journal: the line of the file it came from (1-based)
};

std::string journal_path(const std::string& state_dir);

// The record as it is written, without `hash`.
nlohmann::json to_json(const JournalRecord& r);
// Throws Error(protocol) naming the field when `j` is not a record.
JournalRecord record_from_json(const nlohmann::json& j);

// Appends `r` (seq, prev and hash are set here) and returns it as written. Creates the state
// dir (0700) and the journal (0600). Throws Error(usage) naming the file when it cannot write.
JournalRecord append_record(const std::string& state_dir, JournalRecord r);

// Every record that can be read, in file order (lines that are not records are skipped:
// verify_journal names them). An absent journal is empty. Throws Error(usage) when unreadable.
// With `keep`, only the records it accepts are kept (each line is parsed, then dropped unless
// kept): an audit needs only its own box's records, not a fleet's.
std::vector<JournalRecord> read_journal(const std::string& state_dir,
                                        const std::function<bool(const JournalRecord&)>& keep = nullptr);

struct JournalCheck {
  bool ok = true;
  size_t records = 0;         // whole records read
  size_t first_bad_line = 0;  // 0 when ok
  std::string problem;        // in words, "" when ok
};
// Checks every line: a whole JSON record, its own hash, the hash of the record before, seq.
JournalCheck verify_journal(const std::string& state_dir);

// Whether two records are of the same box: by box_id when both have one, else by address.
bool same_box(const JournalRecord& a, const JournalRecord& b);

// "done", "rolled-back", ... as JSON enums write them.
std::string sha256_hex(const std::string& data);

}  // namespace bw
