// Request bodies for the Livebox `/ws` API. Pure
// text in, text out; internal to the Livebox plugin.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace bw::livebox {

using nlohmann::json;

// Request bodies. Key order is fixed ("service","method","parameters"); login is
// compact JSON with the password JSON-escaped, as the box's own web UI sends it.
std::string request_body(std::string_view service, std::string_view method, const json& params);
std::string login_body(std::string_view user, std::string_view password);
std::string logout_body();

}  // namespace bw::livebox
