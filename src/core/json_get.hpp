// Tolerant getters for JSON that comes from a box: a missing key, a null, or a value of
// another type is "not given" (nullopt or ""), never an exception. Boxes send numbers as
// strings and flags as 0/1; both are read. For files boxwarden wrote itself (backups), the
// strict readers of core/json_fields.hpp apply instead.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace bw {

// obj[key] when it is a string, else "".
std::string json_string(const nlohmann::json& obj, std::string_view key);
// obj[key] as a flag: true/false, or a number (0 is false).
std::optional<bool> json_bool(const nlohmann::json& obj, std::string_view key);
// obj[key] as an integer: a JSON integer, or a string of decimal digits (spaces around allowed).
std::optional<long long> json_int(const nlohmann::json& obj, std::string_view key);

}  // namespace bw
