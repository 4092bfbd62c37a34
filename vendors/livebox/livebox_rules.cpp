#include "vendors/livebox/livebox_rules.hpp"

#include "core/json_get.hpp"

namespace bw::livebox {

std::string rule_id(const std::string& key, const json& rule) {
  std::string id = get_string(rule, "Id");
  return id.empty() ? key : id;
}

std::optional<Found> find_by_id(const json& rules, const std::string& id) {
  for (const auto& [key, rule] : rules.items()) {
    if (rule_id(key, rule) == id) {
      return Found{id, rule};
    }
  }
  return std::nullopt;
}

void commit(WsClient& ws) {
  ws.call_ok("Firewall", "commit", json::object(), ErrorKind::refused, WsClient::Change::yes);
}

}  // namespace bw::livebox
