#include "fleet/render.hpp"

#include <algorithm>
#include <ctime>
#include <map>

#include <nlohmann/json.hpp>

#include "core/utc_time.hpp"
#include "core/text.hpp"
#include "fleet/exit_order.hpp"
#include "report/html.hpp"

namespace bw::fleet {

namespace {

using nlohmann::json;

json opt(const std::optional<std::string>& s) {
  return s ? json(*s) : json(nullptr);
}

json counts_json(const Counts& c) {
  return {{"critical", c.critical}, {"high", c.high}, {"medium", c.medium}, {"low", c.low}, {"info", c.info}};
}

std::string worst_name(const Row& r) {
  return r.error ? "error" : r.worst ? std::string(to_string(*r.worst)) : "none";
}

std::string vendor_model(const Row& r) {
  std::string v = r.vendor.value_or("");
  std::string m = r.model.value_or("");
  return v.empty() ? m : m.empty() ? v : v + " " + m;
}

// Characters on a terminal: UTF-8 lead bytes (printable() output is valid UTF-8).
size_t width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) {
    n += (c & 0xC0) != 0x80;
  }
  return n;
}

using report::html_escape;  // one escaping for every HTML page (report/html.hpp)

// What a spreadsheet would run as a formula starts with one of these: quoted with a '.
std::string csv_cell(const std::string& raw) {
  std::string s = printable(raw, 1000);
  if (!s.empty() && std::string_view("=+-@").find(s[0]) != std::string_view::npos) {
    s = "'" + s;
  }
  if (s.find_first_of(",\"") == std::string::npos) {
    return s;
  }
  std::string q = "\"";
  for (char c : s) {
    q += c == '"' ? std::string("\"\"") : std::string(1, c);
  }
  return q + "\"";
}

std::string joined(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& i : items) {
    out += (out.empty() ? "" : sep) + i;
  }
  return out;
}

struct Totals {
  size_t failing = 0, errors = 0;
};

Totals totals(const std::vector<Row>& rows, Severity threshold) {
  Totals t;
  for (const auto& r : rows) {
    t.errors += r.error.has_value();
    t.failing += row_exit(r, threshold) != ExitCode::ok;
  }
  return t;
}

}  // namespace

json fleet_json(const std::vector<Row>& rows, Severity threshold, const std::string& now) {
  json sites = json::array();
  Counts all;
  std::optional<Severity> worst;
  for (const auto& r : rows) {
    json error = nullptr;
    if (r.error) {
      error = {{"kind", r.error->kind}, {"exit_code", static_cast<int>(r.error->exit_code)}, {"message", r.error->message}};
    }
    sites.push_back({{"site", r.site},
                     {"box_id", opt(r.box_id)},
                     {"address", opt(r.address)},
                     {"vendor", opt(r.vendor)},
                     {"model", opt(r.model)},
                     {"worst", r.worst ? json(std::string(to_string(*r.worst))) : json(nullptr)},
                     {"counts", counts_json(r.counts)},
                     {"unknown", r.unknown},
                     {"error", std::move(error)},
                     {"generated_at", opt(r.generated_at)},
                     {"file", r.file},
                     {"exit_code", static_cast<int>(row_exit(r, threshold))}});
    all.critical += r.counts.critical;
    all.high += r.counts.high;
    all.medium += r.counts.medium;
    all.low += r.counts.low;
    all.info += r.counts.info;
    if (r.worst && (!worst || *r.worst > *worst)) {
      worst = r.worst;
    }
  }
  Totals t = totals(rows, threshold);
  return {{"tool", {{"name", "boxwarden"}, {"version", BOXWARDEN_VERSION}}},
          {"command", "fleet"},
          {"schema_version", 1},
          {"generated_at", now},
          {"fail_on", std::string(to_string(threshold))},
          {"sites", std::move(sites)},
          {"summary",
           {{"sites", rows.size()},
            {"failing", t.failing},
            {"errors", t.errors},
            {"worst", worst ? json(std::string(to_string(*worst))) : json(nullptr)},
            {"counts", counts_json(all)},
            {"exit_code", static_cast<int>(fleet_exit(rows, threshold))}}}};
}

void write_text(std::ostream& out, const std::vector<Row>& rows, Severity threshold) {
  const std::vector<std::string> head = {"SITE", "BOX", "VENDOR/MODEL", "WORST", "CRIT", "HIGH", "MED",
                                         "LOW",  "INFO", "UNKNOWN", "ERROR", "AUDITED"};
  std::vector<std::vector<std::string>> table = {head};
  for (const auto& r : rows) {
    table.push_back({printable(r.site, 40), printable(box_label(r), 40), printable(vendor_model(r), 40),
                     worst_name(r), std::to_string(r.counts.critical), std::to_string(r.counts.high),
                     std::to_string(r.counts.medium), std::to_string(r.counts.low), std::to_string(r.counts.info),
                     std::to_string(r.unknown.size()), r.error ? printable(r.error->kind, 20) : "-",
                     printable(r.generated_at.value_or("?"), 25)});
  }
  std::vector<size_t> w(head.size(), 0);
  for (const auto& line : table) {
    for (size_t i = 0; i < line.size(); ++i) {
      w[i] = std::max(w[i], width(line[i]));
    }
  }
  for (const auto& line : table) {
    std::string text;
    for (size_t i = 0; i < line.size(); ++i) {
      text += line[i];
      if (i + 1 < line.size()) {
        text += std::string(w[i] - width(line[i]) + 2, ' ');
      }
    }
    out << text << "\n";
  }
  Totals t = totals(rows, threshold);
  out << "\n" << rows.size() << (rows.size() == 1 ? " box" : " boxes") << ": " << t.failing
      << " failing (findings at or above " << to_string(threshold) << ", or an error), " << t.errors
      << (t.errors == 1 ? " error" : " errors") << "\n";
  for (const auto& r : rows) {
    if (r.error) {
      out << "  " << printable(r.site, 40) << ": " << printable(failure_text(r), 300) << "\n";
    }
  }
}

void write_csv(std::ostream& out, const std::vector<Row>& rows) {
  out << "site,box_id,address,vendor,model,worst,critical,high,medium,low,info,unknown,error_kind,"
         "error_exit_code,generated_at,file\r\n";
  for (const auto& r : rows) {
    out << csv_cell(r.site) << "," << csv_cell(r.box_id.value_or("")) << "," << csv_cell(r.address.value_or(""))
        << "," << csv_cell(r.vendor.value_or("")) << "," << csv_cell(r.model.value_or("")) << ","
        << (r.worst ? to_string(*r.worst) : "") << "," << r.counts.critical << "," << r.counts.high << ","
        << r.counts.medium << "," << r.counts.low << "," << r.counts.info << "," << csv_cell(joined(r.unknown, ";"))
        << "," << (r.error ? csv_cell(r.error->kind) : "") << ","
        << (r.error ? std::to_string(static_cast<int>(r.error->exit_code)) : "") << ","
        << csv_cell(r.generated_at.value_or("")) << "," << csv_cell(r.file) << "\r\n";
  }
}

void write_html(std::ostream& out, const std::vector<Row>& rows, Severity threshold, const std::string& now) {
  auto h = [](const std::string& s, size_t max = 200) { return html_escape(printable(s, max)); };
  Totals t = totals(rows, threshold);
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<title>boxwarden fleet</title>\n<style>\n"
         "body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}"
         "td.n{text-align:right}.critical{background:#f99}.high{background:#fbb}.medium{background:#fe9}"
         ".error{background:#ccc}\n</style>\n</head>\n<body>\n<h1>boxwarden fleet</h1>\n<p>"
      << rows.size() << " boxes, " << t.failing << " failing (findings at or above " << to_string(threshold)
      << ", or an error), " << t.errors << " errors; " << h(now) << "</p>\n<table>\n<thead><tr>"
      << "<th>Site</th><th>Box</th><th>Vendor/model</th><th>Worst</th><th>Critical</th><th>High</th><th>Medium</th>"
         "<th>Low</th><th>Info</th><th>Unknown</th><th>Error</th><th>Audited</th></tr></thead>\n<tbody>\n";
  for (const auto& r : rows) {
    std::string cls = worst_name(r);
    out << "<tr class=\"" << h(cls) << "\"><td>" << h(r.site) << "</td><td>" << h(box_label(r)) << "</td><td>"
        << h(vendor_model(r)) << "</td><td>" << h(cls) << "</td>";
    for (long n : {r.counts.critical, r.counts.high, r.counts.medium, r.counts.low, r.counts.info}) {
      out << "<td class=\"n\">" << n << "</td>";
    }
    out << "<td>" << h(joined(r.unknown, ", ")) << "</td><td>" << (r.error ? h(failure_text(r), 500) : "")
        << "</td><td>" << h(r.generated_at.value_or("")) << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n</body>\n</html>\n";
}

void write_junit(std::ostream& out, const std::vector<Row>& rows, Severity threshold, const std::string& now) {
  auto x = [](const std::string& s, size_t max = 200) { return html_escape(printable(s, max)); };
  Totals t = totals(rows, threshold);
  std::string counts = " tests=\"" + std::to_string(rows.size()) + "\" failures=\"" + std::to_string(t.failing) +
                       "\" errors=\"0\" skipped=\"0\"";
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"boxwarden fleet\"" << counts << ">\n"
      << "  <testsuite name=\"boxwarden fleet\"" << counts << " timestamp=\"" << x(now) << "\">\n";
  std::map<std::string, int> per_site;  // several boxes of one site: each test case names its box
  for (const auto& r : rows) {
    ++per_site[r.site];
  }
  for (const auto& r : rows) {
    std::string name = per_site[r.site] > 1 ? r.site + " (" + box_label(r) + ")" : r.site;
    out << "    <testcase classname=\"boxwarden.fleet\" name=\"" << x(name) << "\">\n";
    if (row_exit(r, threshold) != ExitCode::ok) {
      std::string type = r.error ? r.error->kind : "findings";
      out << "      <failure type=\"" << x(type) << "\" message=\"" << x(failure_text(r), 500) << "\">"
          << x("box " + box_label(r) + " (" + vendor_model(r) + "), file " + r.file, 500) << "</failure>\n";
    }
    out << "    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

}  // namespace bw::fleet
