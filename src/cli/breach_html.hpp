// `breach --format html`: the draft as one self-contained page to print (A4), no script, no
// outside resource; everything from the journal is escaped.
#pragma once

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

namespace bw::cli {

std::string breach_html_escape(const std::string& text);
// `doc` is the document `breach --format json` prints.
void write_breach_html(std::ostream& out, const nlohmann::json& doc);

}  // namespace bw::cli
