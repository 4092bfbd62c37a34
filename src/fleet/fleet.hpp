// `boxwarden fleet`: the reports of many boxes (audit/plan/fix JSON documents, arrays of them,
// JSON Lines, error documents and error entries) read back as one row per box. Files are
// hostile: bounded in size, every field checked, bad input is Error(usage) naming the file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/error.hpp"
#include "core/severity.hpp"

namespace bw::fleet {

// Largest report file read (a report on 65,535 mappings is a few MiB).
constexpr size_t k_max_file_bytes = 64u << 20;

struct Counts {
  long critical = 0, high = 0, medium = 0, low = 0, info = 0;
};

struct RowError {
  std::string kind;     // the error document's error.kind ("unreachable", "auth", ...)
  ExitCode exit_code = ExitCode::internal;
  std::string message;  // raw (valid UTF-8); escaped where it is shown
};

// One box: a report or an error entry. Strings are valid UTF-8, as read (escaped when shown).
struct Row {
  std::string site;                     // the report's "site", else the file name without .json/.jsonl
  std::optional<std::string> box_id;    // gateway.box_id ("sha256:...")
  std::optional<std::string> address;   // gateway.address
  std::optional<std::string> vendor;
  std::optional<std::string> model;
  std::optional<Severity> worst;        // the most severe finding; none: no finding (or an error)
  Counts counts;
  std::vector<std::string> unknown;     // fields the box did not let boxwarden read
  std::optional<RowError> error;
  std::optional<std::string> generated_at;
  std::string file;                     // the file it came from, as named on the command line
};

// Reads FILE or DIR arguments (a DIR: its *.json and *.jsonl files, sorted by name).
std::vector<Row> read_rows(const std::vector<std::string>& paths);
// The rows of one file's text (`name` is how the file is named in errors and rows).
std::vector<Row> parse_rows(const std::string& text, const std::string& name);

// The row's exit status: its error's, 1 when its worst finding is at or above `threshold`.
ExitCode row_exit(const Row& row, Severity threshold);
// The worst of the rows (0 with none).
ExitCode fleet_exit(const std::vector<Row>& rows, Severity threshold);

// "sha256:0123456789ab" (the first 12 hex digits) or the address, or "?".
std::string box_label(const Row& row);
// The one-line description of a failing row ("2 critical, 1 high" or "unreachable: ...").
std::string failure_text(const Row& row);

}  // namespace bw::fleet
