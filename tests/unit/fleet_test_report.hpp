// A minimal audit report as `boxwarden audit --format json` writes one, for the fleet tests:
// one finding of `severity`, and the site when one is given.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace bw::fleet_test {

inline nlohmann::json report(const std::string& severity, const std::string& site = "") {
  using nlohmann::json;
  json r = {{"tool", {{"name", "boxwarden"}}},
            {"command", "audit"},
            {"gateway", {{"address", "192.168.1.1"}, {"vendor", "livebox"}, {"model", "Livebox 7"}}},
            {"findings", json::array({{{"rule", "R"}, {"severity", severity}, {"subject", {{"kind", "dmz"}}}}})},
            {"summary", {{"critical", 0}, {"high", 0}, {"medium", 0}, {"low", 0}, {"info", 0}}}};
  r["summary"][severity] = 1;
  if (!site.empty()) {
    r["site"] = site;
  }
  return r;
}

}  // namespace bw::fleet_test
