#include "fleet/fleet.hpp"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/text.hpp"
#include "fleet/exit_order.hpp"

namespace bw::fleet {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr size_t k_max_string = 4096;  // longer strings from a file are cut

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw Error(ErrorKind::usage, printable(where, 200) + ": " + what +
                                    "; give reports written by 'boxwarden audit --format json' or '--format jsonl'");
}

// A string field, or nullopt when absent or null; anything else is bad input.
std::optional<std::string> text_field(const json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return std::nullopt;
  }
  if (!it->is_string()) {
    bad(where, std::string("\"") + key + "\" is not a string");
  }
  const auto& s = it->get_ref<const std::string&>();
  return valid_utf8(std::string_view(s).substr(0, k_max_string));
}

long count_field(const json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end()) {
    return 0;
  }
  if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > 1'000'000'000) {
    bad(where, std::string("summary.") + key + " is not a count");
  }
  return static_cast<long>(it->get<long long>());
}

std::string stem(const std::string& file) {
  std::string name = fs::path(file).filename().string();
  for (const char* ext : {".jsonl", ".json"}) {
    if (name.size() > std::string_view(ext).size() && name.ends_with(ext)) {
      return name.substr(0, name.size() - std::string_view(ext).size());
    }
  }
  return name;
}

std::optional<ExitCode> known_exit(long long code) {
  for (ExitCode c : {ExitCode::usage, ExitCode::unreachable, ExitCode::auth, ExitCode::rolled_back,
                     ExitCode::rollback_failed, ExitCode::internal, ExitCode::busy, ExitCode::findings}) {
    if (static_cast<long long>(c) == code) {
      return c;
    }
  }
  return std::nullopt;
}

Row error_row(const json& doc, const std::string& where) {
  const json& e = doc["error"];
  Row row;
  RowError err;
  err.kind = text_field(e, "kind", where).value_or("");
  if (err.kind.empty()) {
    bad(where, "the error document has no error.kind");
  }
  auto code = e.find("exit_code");
  if (code == e.end() || !code->is_number_integer() || !known_exit(code->get<long long>())) {
    bad(where, "error.exit_code is not a boxwarden exit status");
  }
  err.exit_code = *known_exit(code->get<long long>());
  err.message = text_field(e, "message", where).value_or("");
  row.error = std::move(err);
  return row;
}

Row report_row(const json& doc, const std::string& where) {
  Row row;
  const json& g = doc["gateway"];
  row.vendor = text_field(g, "vendor", where);
  row.model = text_field(g, "model", where);
  auto findings = doc.find("findings");
  if (findings != doc.end() && !findings->is_array()) {
    bad(where, "\"findings\" is not a list");
  }
  // A fix report counts what remains after the fix; audit and plan what was found.
  const json* summary = nullptr;
  if (auto fix = doc.find("fix"); fix != doc.end() && fix->is_object() && fix->contains("summary_after")) {
    summary = &(*fix)["summary_after"];
  } else if (auto s = doc.find("summary"); s != doc.end()) {
    summary = &*s;
  }
  if (summary != nullptr) {
    if (!summary->is_object()) {
      bad(where, "\"summary\" is not an object");
    }
    row.counts = {count_field(*summary, "critical", where), count_field(*summary, "high", where),
                  count_field(*summary, "medium", where), count_field(*summary, "low", where),
                  count_field(*summary, "info", where)};
  }
  if (findings != doc.end()) {
    for (const auto& f : *findings) {
      if (!f.is_object()) {
        bad(where, "a finding is not an object");
      }
      auto sev = text_field(f, "severity", where);
      std::optional<Severity> s = sev ? parse_severity(*sev) : std::nullopt;
      if (!s) {
        bad(where, "a finding has no known severity");
      }
      if (summary == nullptr) {
        long* c[] = {&row.counts.info, &row.counts.low, &row.counts.medium, &row.counts.high, &row.counts.critical};
        ++*c[static_cast<int>(*s)];
      }
      auto subject = f.find("subject");
      if (subject != f.end() && subject->is_object() && text_field(*subject, "kind", where) == "unknown_field") {
        std::string field = text_field(*subject, "field", where).value_or("?");
        if (std::find(row.unknown.begin(), row.unknown.end(), field) == row.unknown.end() && row.unknown.size() < 100) {
          row.unknown.push_back(field);
        }
      }
    }
  }
  const std::pair<long, Severity> order[] = {{row.counts.critical, Severity::critical},
                                             {row.counts.high, Severity::high},
                                             {row.counts.medium, Severity::medium},
                                             {row.counts.low, Severity::low},
                                             {row.counts.info, Severity::info}};
  for (const auto& [n, s] : order) {
    if (n > 0) {
      row.worst = s;
      break;
    }
  }
  return row;
}

// One entry: a report, an error document or an error entry (audit with several -g).
Row entry_row(const json& doc, const std::string& file, const std::string& where) {
  if (!doc.is_object()) {
    bad(where, "not a JSON object");
  }
  Row row;
  if (auto e = doc.find("error"); e != doc.end() && e->is_object()) {
    row = error_row(doc, where);
  } else if (auto g = doc.find("gateway"); g != doc.end() && g->is_object() &&
                                         (doc.contains("summary") || doc.contains("findings"))) {
    row = report_row(doc, where);
  } else {
    bad(where, "neither a boxwarden report nor an error document");
  }
  if (auto g = doc.find("gateway"); g != doc.end()) {
    if (!g->is_object()) {
      bad(where, "\"gateway\" is not an object");
    }
    row.address = text_field(*g, "address", where);
    row.box_id = text_field(*g, "box_id", where);
  }
  auto site = text_field(doc, "site", where);
  row.site = site && !site->empty() ? *site : stem(file);
  row.generated_at = text_field(doc, "generated_at", where);
  row.file = valid_utf8(file);
  return row;
}

void add_document(const json& doc, const std::string& file, const std::string& where, std::vector<Row>& rows) {
  if (doc.is_array()) {
    for (size_t i = 0; i < doc.size(); ++i) {
      rows.push_back(entry_row(doc[i], file, where + ": entry " + std::to_string(i + 1)));
    }
  } else {
    rows.push_back(entry_row(doc, file, where));
  }
}

// JSON Lines: one document per line; blank lines are skipped.
std::vector<Row> parse_lines(const std::string& text, const std::string& name) {
  std::vector<Row> rows;
  size_t pos = 0;
  for (size_t line = 1; pos < text.size(); ++line) {
    size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view l(text.data() + pos, end - pos);
    pos = end + 1;
    if (l.find_first_not_of(" \t\r") == std::string_view::npos) {
      continue;
    }
    std::string where = name + ":" + std::to_string(line);
    json doc = json::parse(l.begin(), l.end(), nullptr, false);
    if (doc.is_discarded()) {
      bad(where, "not a JSON line");
    }
    add_document(doc, name, where, rows);
  }
  return rows;
}

}  // namespace

std::vector<Row> parse_rows(const std::string& text, const std::string& name) {
  if (name.ends_with(".jsonl")) {
    return parse_lines(text, name);
  }
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) {
    // `audit --format jsonl -o x.json`: JSON Lines under another name.
    size_t first = text.find('\n');
    if (first != std::string::npos && text.find_first_not_of(" \t\r\n", first) != std::string::npos) {
      try {
        return parse_lines(text, name);
      } catch (const Error&) {
      }
    }
    bad(name, "not JSON (nor JSON Lines)");
  }
  std::vector<Row> rows;
  add_document(doc, name, name, rows);
  return rows;
}

std::vector<Row> read_rows(const std::vector<std::string>& paths) {
  std::vector<Row> rows;
  for (const auto& path : paths) {
    std::error_code ec;
    std::vector<std::string> files;
    if (fs::is_directory(path, ec)) {
      for (const auto& entry : fs::directory_iterator(path, ec)) {
        std::string name = entry.path().filename().string();
        if ((name.ends_with(".json") || name.ends_with(".jsonl")) && entry.is_regular_file(ec)) {
          files.push_back(entry.path().string());
        }
      }
      if (ec) {
        throw Error(ErrorKind::usage, "cannot read the directory " + printable(path, 200) + "; check the path");
      }
      if (files.empty()) {
        throw Error(ErrorKind::usage, printable(path, 200) + " holds no .json or .jsonl file; give the directory of the reports");
      }
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(path);
    }
    for (const auto& file : files) {
      std::string text = read_file(file, k_max_file_bytes);
      auto more = parse_rows(text, file);
      rows.insert(rows.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
    }
  }
  return rows;
}

ExitCode row_exit(const Row& row, Severity threshold) {
  if (row.error) {
    return row.error->exit_code;
  }
  return row.worst && *row.worst >= threshold ? ExitCode::findings : ExitCode::ok;
}

ExitCode fleet_exit(const std::vector<Row>& rows, Severity threshold) {
  ExitCode worst = ExitCode::ok;
  for (const auto& r : rows) {
    worst = worse(worst, row_exit(r, threshold));
  }
  return worst;
}

std::string box_label(const Row& row) {
  if (row.box_id && row.box_id->starts_with("sha256:") && row.box_id->size() >= 19) {
    return row.box_id->substr(0, 19);
  }
  if (row.box_id && !row.box_id->empty()) {
    return *row.box_id;
  }
  return row.address.value_or("?");
}

std::string failure_text(const Row& row) {
  if (row.error) {
    return row.error->kind + " (exit " + std::to_string(static_cast<int>(row.error->exit_code)) + "): " +
           row.error->message;
  }
  std::string text;
  const std::pair<long, const char*> parts[] = {{row.counts.critical, "critical"}, {row.counts.high, "high"},
                                                {row.counts.medium, "medium"},     {row.counts.low, "low"},
                                                {row.counts.info, "info"}};
  for (const auto& [n, name] : parts) {
    if (n > 0) {
      text += (text.empty() ? "" : ", ") + std::to_string(n) + " " + name;
    }
  }
  return text.empty() ? "no findings" : text;
}

}  // namespace bw::fleet
