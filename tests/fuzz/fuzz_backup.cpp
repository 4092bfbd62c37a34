// Backups are files on disk that may be damaged or edited: a state and plan read back from
// JSON must either load or be refused with Error(protocol), never crash; the numbers it loads
// are the numbers written, and what loads survives a second round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/router_state.hpp"
#include "plan/action.hpp"

namespace {

// A number the loader accepted must be the number written: a port of 70000 or 1e30 must be
// refused, not read as 4464 or as whatever a float-to-integer cast gives.
void check_number(const nlohmann::json& j, const char* key, uint64_t loaded) {
  if (!j.contains(key)) {
    return;
  }
  const auto& v = j[key];
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0)) {
    __builtin_trap();  // accepted a negative, fractional or non-numeric value
  }
  if (v.get<uint64_t>() != loaded) {
    __builtin_trap();  // accepted an out-of-range value and truncated it
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    return 0;
  }
  if (!j.is_object()) {
    return 0;
  }
  try {
    if (j.contains("state")) {
      bw::RouterState s = bw::router_state_from_json(j["state"]);
      const auto& listed = j["state"]["port_forwards"];
      for (size_t i = 0; listed.is_array() && i < listed.size() && i < s.port_forwards.size(); ++i) {
        const auto& f = s.port_forwards[i];
        check_number(listed[i], "external_port", f.external_port);
        check_number(listed[i], "external_port_end", f.external_port_end);
        check_number(listed[i], "internal_port", f.internal_port);
        check_number(listed[i], "lease_seconds", f.lease_seconds);
      }
      nlohmann::json once = bw::to_json(s);
      if (bw::to_json(bw::router_state_from_json(once)) != once) {
        __builtin_trap();
      }
    }
  } catch (const bw::Error&) {
  }
  if (j.contains("plan") && j["plan"].is_array()) {
    for (const auto& a : j["plan"]) {
      try {
        bw::Action action = bw::action_from_json(a);
        nlohmann::json once = bw::to_json(action);
        if (bw::to_json(bw::action_from_json(once)) != once) {
          __builtin_trap();
        }
      } catch (const bw::Error&) {
      }
    }
  }
  return 0;
}
