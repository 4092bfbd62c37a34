// Request bodies for the Livebox `/ws` API and the ~/.netrc lookup of its password. Pure
// text in, text out; internal to the Livebox plugin.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace bw::livebox {

using nlohmann::json;

// The password of `machine` in a ~/.netrc text (tokens machine/default, login, password,
// account, macdef), for `login` when the entry names one; nullopt when none applies.
std::optional<std::string> netrc_password(std::string_view netrc, std::string_view machine,
                                          std::string_view login);

// Request bodies. Key order is fixed ("service","method","parameters"); login is
// compact JSON with the password JSON-escaped, as the box's own web UI sends it.
std::string request_body(std::string_view service, std::string_view method, const json& params);
std::string login_body(std::string_view user, std::string_view password);
std::string logout_body();

}  // namespace bw::livebox
