// What every JSON document boxwarden prints carries at its top level, so that a fleet's
// reports can be told apart and read by a program that knows their version (man page FIELDS;
// schemas/*.schema.json): "schema_version", "generated_at" (UTC) and "site" (--site, or null).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/utc_time.hpp"

namespace bw::cli {

// Raised when a field is renamed or removed or its meaning changes; adding a field keeps it.
inline constexpr int k_schema_version = 1;

using bw::utc_now;  // core/utc_time.hpp

// Adds schema_version, generated_at (`generated_at`, or now when empty) and site (null when
// empty) to the object `doc`.
void stamp(nlohmann::json& doc, const std::string& site, const std::string& generated_at = "");

// `doc` with stamp() applied: for documents built in one expression.
nlohmann::json stamped(nlohmann::json doc, const std::string& site);

// Checks a --site label: printable UTF-8, 1 to 64 characters, no control characters. Returns
// what is wrong in a few words, or "" when it is fine.
std::string site_label_problem(const std::string& label);

// {"name": "boxwarden", "version": ...}: the "tool" field of every document.
nlohmann::json tool_field();

}  // namespace bw::cli
