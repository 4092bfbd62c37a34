// The fleet table in each --format: text (people), json (scripts), csv (spreadsheets), html
// (a page to send), junit (a CI dashboard: one test case per site). Every string from a report
// file is escaped for where it goes.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "fleet/fleet.hpp"

namespace bw::fleet {

// `now`: the time of this summary, RFC 3339 UTC ("2026-12-02T03:20:00Z").
nlohmann::json fleet_json(const std::vector<Row>& rows, Severity threshold, const std::string& now);
void write_text(std::ostream& out, const std::vector<Row>& rows, Severity threshold);
void write_csv(std::ostream& out, const std::vector<Row>& rows);
void write_html(std::ostream& out, const std::vector<Row>& rows, Severity threshold, const std::string& now);
void write_junit(std::ostream& out, const std::vector<Row>& rows, Severity threshold, const std::string& now);


}  // namespace bw::fleet
