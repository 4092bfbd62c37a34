#include "vendors/livebox/livebox_request.hpp"

#include <cctype>
#include <vector>

#include "core/error.hpp"

namespace bw::livebox {

std::optional<std::string> netrc_password(std::string_view netrc, std::string_view machine,
                                          std::string_view login) {
  std::vector<std::string> tok;
  size_t i = 0;
  while (i < netrc.size()) {
    while (i < netrc.size() && std::isspace(static_cast<unsigned char>(netrc[i]))) {
      ++i;
    }
    size_t start = i;
    while (i < netrc.size() && !std::isspace(static_cast<unsigned char>(netrc[i]))) {
      ++i;
    }
    if (i > start) {
      tok.emplace_back(netrc.substr(start, i - start));
    }
  }
  // Entries: [machine NAME | default] followed by key/value pairs.
  std::optional<std::string> fallback;
  for (size_t t = 0; t < tok.size();) {
    bool is_default = tok[t] == "default";
    if (tok[t] != "machine" && !is_default) {
      ++t;
      continue;
    }
    std::string name = is_default ? "" : (t + 1 < tok.size() ? tok[t + 1] : "");
    t += is_default ? 1 : 2;
    std::string user;
    std::optional<std::string> pw;
    while (t < tok.size() && tok[t] != "machine" && tok[t] != "default") {
      if (tok[t] == "macdef") {
        break;  // a macro runs to a blank line; entries after it are not ours to guess
      }
      if (t + 1 < tok.size() && tok[t] == "login") {
        user = tok[t + 1];
      } else if (t + 1 < tok.size() && tok[t] == "password") {
        pw = tok[t + 1];
      }
      t += 2;
    }
    bool user_ok = user.empty() || login.empty() || user == login;
    if (pw && user_ok && !is_default && name == machine) {
      return pw;
    }
    if (pw && user_ok && is_default && !fallback) {
      fallback = pw;
    }
    if (t < tok.size() && tok[t] == "macdef") {
      break;
    }
  }
  return fallback;
}

std::string request_body(std::string_view service, std::string_view method, const json& params) {
  return "{\"service\":" + json(service).dump() + ",\"method\":" + json(method).dump() +
         ",\"parameters\":" + (params.is_object() ? params.dump() : std::string("{}")) + "}";
}

std::string login_body(std::string_view user, std::string_view password) {
  std::string pw;
  try {
    pw = json(password).dump();
  } catch (const json::exception&) {
    // The library's message quotes the offending byte: never let it out.
    throw Error(ErrorKind::usage, "the password is not valid UTF-8 text");
  }
  return "{\"service\":\"sah.Device.Information\",\"method\":\"createContext\","
         "\"parameters\":{\"applicationName\":\"webui\",\"username\":" +
         json(user).dump() + ",\"password\":" + pw + "}}";
}

std::string logout_body() {
  return R"({"service":"sah.Device.Information","method":"releaseContext","parameters":{"applicationName":"webui"}})";
}

}  // namespace bw::livebox
