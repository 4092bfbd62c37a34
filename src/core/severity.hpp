// Finding severities, ordered.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bw {

enum class Severity { info = 0, low, medium, high, critical };

std::string_view to_string(Severity s);
std::optional<Severity> parse_severity(std::string_view text);

}  // namespace bw
