// What the Livebox's Firewall service lists (port forwards and IPv6 pinholes alike): a map of
// rule key -> rule, where a rule's id is its "Id" field or, without one, its key. Shared by the
// IPv4 and IPv6 changes.
#pragma once

#include <optional>
#include <string>

#include "vendors/livebox/livebox_ws.hpp"

namespace bw::livebox {

struct Found {
  std::string id;
  json rule;
};

std::string rule_id(const std::string& key, const json& rule);
// The rule listed under `id` in `rules` (an object of key -> rule).
std::optional<Found> find_by_id(const json& rules, const std::string& id);
// Firewall.commit: makes the Livebox apply (and keep) the changes made before it.
void commit(WsClient& ws);

}  // namespace bw::livebox
