#include "vendors/livebox/livebox_request.hpp"

#include <cctype>
#include <vector>

#include "core/error.hpp"
#include "core/i18n.hpp"

namespace bw::livebox {


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
    throw Error(ErrorKind::usage, tr("the password is not valid UTF-8 text"));
  }
  return "{\"service\":\"sah.Device.Information\",\"method\":\"createContext\","
         "\"parameters\":{\"applicationName\":\"webui\",\"username\":" +
         json(user).dump() + ",\"password\":" + pw + "}}";
}

std::string logout_body() {
  return R"({"service":"sah.Device.Information","method":"releaseContext","parameters":{"applicationName":"webui"}})";
}

}  // namespace bw::livebox
