// Reading a JSON document that may be damaged or hostile (a backup on disk): each getter
// checks the type, the range or the length of one field and throws Error(protocol) with
// "FIELD: what is wrong". within() prefixes the field path of what it calls
// ("port_forwards[2].internal_host"), so the caller can name the exact field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace bw::fields {

inline constexpr size_t k_short = 64;       // enums, ids, origins, dates
inline constexpr size_t k_line = 1024;      // summaries, names
inline constexpr size_t k_text = 16384;     // descriptions, manual steps (box-chosen text)
inline constexpr size_t k_vendor_data = 65536;

[[noreturn]] void bad(std::string_view field, const std::string& what);

// `j` itself must be an object (`what` names it; "" when a within() around the call does).
void require_object(const nlohmann::json& j, std::string_view what);
const nlohmann::json& at(const nlohmann::json& j, const char* key);  // "KEY: missing"

std::string text(const nlohmann::json& j, const char* key, size_t max_len,
                 std::optional<std::string> fallback = std::nullopt);
bool flag(const nlohmann::json& j, const char* key, std::optional<bool> fallback = std::nullopt);
std::vector<std::string> texts(const nlohmann::json& j, const char* key, size_t max_items, size_t max_len);
// A whole JSON integer from `min` to `max` (never a float, a string or a wrapped value).
uint64_t number(const nlohmann::json& j, const char* key, uint64_t min, uint64_t max,
                std::optional<uint64_t> fallback = std::nullopt);
// Any JSON value whose text is at most k_vendor_data bytes (null when absent).
nlohmann::json vendor_data(const nlohmann::json& j, const char* key);

bool is_ip_literal(const std::string& s);         // IPv4 or IPv6
bool is_ip_or_prefix(const std::string& s);       // ADDRESS or ADDRESS/BITS
bool is_address_and_port(const std::string& s);   // IPv4[:PORT] or IPv6 or [IPv6]:PORT

// Runs `f`; an Error(protocol) it throws gets `prefix` in front of its field path.
template <typename F>
auto within(const std::string& prefix, F f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::protocol) {
      throw;
    }
    std::string m = e.what();
    throw Error(ErrorKind::protocol, prefix + (m.starts_with("[") || m.starts_with(":") ? "" : ".") + m);
  }
}

}  // namespace bw::fields
