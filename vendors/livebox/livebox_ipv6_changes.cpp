#include "vendors/livebox/livebox_ipv6_changes.hpp"

#include <algorithm>
#include <array>

#include "core/error.hpp"
#include "core/text.hpp"
#include "vendors/livebox/livebox_rules.hpp"
#include "vendors/livebox/livebox_ipv6_parse.hpp"

namespace bw::livebox {

namespace {

std::vector<std::string> numbers_of(const std::string& protocol_text) {
  std::vector<std::string> out;
  for (Protocol p : parse_protocol_list(protocol_text)) {
    out.push_back(p == Protocol::tcp ? "6" : "17");
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The listed rule behind `p`: by id when the Livebox reported it, else (a pinhole another API
// reported) by protocol, address and port.
std::optional<Found> find_rule(const json& rules, const Pinhole& p) {
  if (!p.id.empty() && stored_pinhole_rule(p) != nullptr) {
    return find_by_id(rules, p.id);
  }
  for (const auto& [key, rule] : rules.items()) {
    for (const Pinhole& listed : parse_pinholes(json{{key, rule}})) {
      if (listed.protocol == p.protocol && listed.any_protocol == p.any_protocol && listed.port == p.port &&
          listed.internal_host == p.internal_host) {
        return Found{rule_id(key, rule), rule};
      }
    }
  }
  return std::nullopt;
}

// A change acts only on the pinhole that was read, never on one re-pointed since.
void require_same_target(const json& rule, const std::string& id, const Pinhole& p, bool for_delete) {
  std::string dest = get_string(rule, "DestinationIPAddress");
  auto ports = parse_port_range(get_string(rule, "DestinationPort"));
  uint16_t port = ports ? ports->first : 0;
  if ((p.internal_host.empty() || dest == p.internal_host) && port == p.port) {
    return;
  }
  throw Error(ErrorKind::conflict,
              "IPv6 pinhole " + printable(id) + " now opens " + printable(dest, 45) + " port " +
                  (port == 0 ? std::string("(every port)") : std::to_string(port)) + ", not " +
                  printable(p.internal_host, 45) + " port " + std::to_string(p.port) + " as read; " +
                  (for_delete ? "it was left alone: run the command again to see the box as it is now"
                              : "it was left alone: the saved pinhole cannot be put back without replacing it"));
}

// The one place that builds a pinhole delete: never without an id.
void send_delete_pinhole(WsClient& ws, const std::string& id, const std::string& origin) {
  if (id.empty() || origin.empty()) {
    throw Error(ErrorKind::unsupported,
                "refusing to delete a Livebox IPv6 pinhole without its exact id and origin: "
                "the box would delete every pinhole of that origin");
  }
  WsReply r = ws.call("Firewall", "deletePinhole", json{{"id", id}, {"origin", origin}}, WsClient::Change::yes);
  if (!r.ok() && !(r.errors.size() == 1 && r.has_error(k_err_rule_not_found))) {
    throw Error(ErrorKind::refused,
                "the Livebox refused to delete IPv6 pinhole " + printable(id) + ": " + describe_errors(r.errors));
  }
}

void set_pinhole_rule(WsClient& ws, const json& params, const std::string& what) {
  WsReply r = ws.call("Firewall", "setPinhole", params, WsClient::Change::yes);
  if (!r.ok()) {
    throw Error(ErrorKind::refused, "the Livebox refused to " + what + ": " + describe_errors(r.errors));
  }
}

// The listed form of setPinhole parameters, for pinhole_signature().
json rule_of_params(const json& p) {
  return json{{"Protocol", p.value("protocol", "")},
              {"DestinationPort", p.value("destinationPort", "")},
              {"DestinationIPAddress", p.value("destinationIPAddress", "")},
              {"SourcePrefix", p.value("sourcePrefix", "")},
              {"Enable", p.value("enable", true)}};
}

json params_from_fields(const Pinhole& p) {
  std::string port;
  if (p.port != 0) {
    port = std::to_string(p.port);
    if (p.port_end > p.port) {
      port += "-" + std::to_string(p.port_end);
    }
  }
  std::string origin = pinhole_origin(p);
  return json{{"id", p.id},
              {"origin", origin.empty() ? "webui" : origin},
              {"sourceInterface", "data"},
              {"sourcePort", p.remote_port == 0 ? std::string() : std::to_string(p.remote_port)},
              {"destinationPort", port},
              {"destinationIPAddress", p.internal_host},
              {"destinationMACAddress", ""},
              {"sourcePrefix", p.remote_host},
              {"protocol", pinhole_protocols(p)},
              {"ipversion", 6},
              {"enable", p.enabled},
              {"persistent", true},
              {"description", p.description}};
}

void set_level(WsClient& ws, const std::string& level) {
  ws.call_ok("Firewall", "setFirewallIPv6Level", json{{"level", level}}, ErrorKind::refused,
             WsClient::Change::yes);
  if (ws.rehearsing()) {
    return;  // --dry-run: nothing was sent, there is nothing to see
  }
  if (std::string now = read_ipv6_level(ws); now != level) {
    throw Error(ErrorKind::refused, "the Livebox's IPv6 firewall level is " + printable(now) + ", not " + level +
                                        ", after setting it");
  }
}

}  // namespace

std::string read_ipv6_level(WsClient& ws) {
  WsReply r = ws.call_ok("Firewall", "getFirewallIPv6Level", json::object(), ErrorKind::protocol);
  std::string level = parse_ipv6_level(r.status);
  if (level.empty()) {
    throw Error(ErrorKind::protocol, "the Livebox did not say its IPv6 firewall level");
  }
  return level;
}

json list_pinhole_rules(WsClient& ws) {
  WsReply r = ws.call_ok("Firewall", "getPinhole", json::object(), ErrorKind::protocol);
  if (r.status.is_null()) {
    return json::object();
  }
  if (!r.status.is_object()) {
    throw Error(ErrorKind::protocol, "the Livebox listed its IPv6 pinholes in an unknown shape");
  }
  return r.status;
}

void enable_ipv6_firewall(WsClient& ws) {
  if (read_ipv6_level(ws) != k_ipv6_open_level) {
    return;  // it filters already
  }
  set_level(ws, std::string(k_ipv6_safe_level));
}

void set_ipv6_level(WsClient& ws, const std::string& level) {
  static const std::array<std::string_view, 4> levels = {"High", "Medium", "Low", "Custom"};
  if (std::find(levels.begin(), levels.end(), level) == levels.end()) {
    throw Error(ErrorKind::unsupported, "no saved Livebox IPv6 firewall level to put back (got '" +
                                            printable(level, 20) + "')");
  }
  if (read_ipv6_level(ws) == level) {
    return;
  }
  set_level(ws, level);
}

void delete_pinhole(WsClient& ws, const Pinhole& p) {
  auto found = find_rule(list_pinhole_rules(ws), p);
  if (!found) {
    return;  // already closed: the listing just read is the verification
  }
  require_same_target(found->rule, found->id, p, true);
  std::string origin = get_string(found->rule, "Origin");
  if (origin.empty()) {
    origin = pinhole_origin(p);
  }
  auto protos = numbers_of(get_string(found->rule, "Protocol"));
  auto mine = numbers_of(pinhole_protocols(p));
  std::vector<std::string> rest;
  std::copy_if(protos.begin(), protos.end(), std::back_inserter(rest), [&](const std::string& n) {
    return std::find(mine.begin(), mine.end(), n) == mine.end();
  });
  bool narrow = !rest.empty() && rest.size() < protos.size();
  if (narrow) {
    json params = pinhole_set_params(found->rule);
    params["id"] = found->id;
    params["protocol"] = protocol_list_text(rest);
    set_pinhole_rule(ws, params, "close one protocol of IPv6 pinhole " + printable(found->id));
  } else {
    send_delete_pinhole(ws, found->id, origin);
  }
  commit(ws);
  if (ws.rehearsing()) {
    return;
  }
  auto after = find_by_id(list_pinhole_rules(ws), found->id);
  auto still_open = [&](const json& rule) {
    auto now = numbers_of(get_string(rule, "Protocol"));
    return std::any_of(mine.begin(), mine.end(),
                       [&](const std::string& n) { return std::find(now.begin(), now.end(), n) != now.end(); });
  };
  if (after && (!narrow || still_open(after->rule))) {
    throw Error(ErrorKind::refused,
                "IPv6 pinhole " + printable(found->id) + " is still listed by the Livebox after deleting it");
  }
}

void add_pinhole(WsClient& ws, const Pinhole& p) {
  const json* stored = stored_pinhole_rule(p);
  json params = stored != nullptr ? pinhole_set_params(*stored) : params_from_fields(p);
  json rules = list_pinhole_rules(ws);
  std::string saved_id = params.value("id", "");
  if (auto now = find_by_id(rules, saved_id); now && !saved_id.empty() &&
      pinhole_signature(now->rule) == pinhole_signature(rule_of_params(params))) {
    return;  // there, exactly (a UPnP pinhole whose delete never happened included)
  }
  if (params.value("origin", "") != "webui") {
    // Only the box's IGD makes upnp pinholes, for the machine that asks: the box's own page
    // (webui) is the way to put one back.
    params["origin"] = "webui";
    params["id"] = "";
  }
  if (params.value("id", "").empty()) {
    std::string port = params.value("destinationPort", "");
    params["id"] = "webui_boxwarden_" + std::string(p.any_protocol ? "any" : to_string(p.protocol)) + "_" +
                   (port.empty() ? std::string("all") : port);
  }
  std::string id = params["id"];
  if (auto now = find_by_id(rules, id)) {
    if (pinhole_signature(now->rule) == pinhole_signature(rule_of_params(params))) {
      return;  // already there, exactly
    }
    require_same_target(now->rule, id, p, false);  // the same pinhole, narrowed or switched off: put back
  }
  set_pinhole_rule(ws, params, "restore IPv6 pinhole " + printable(id));
  commit(ws);
  if (ws.rehearsing()) {
    return;
  }
  auto after = find_by_id(list_pinhole_rules(ws), id);
  if (!after || pinhole_signature(after->rule) != pinhole_signature(rule_of_params(params))) {
    throw Error(ErrorKind::refused,
                "the Livebox does not list IPv6 pinhole " + printable(id) + " as it was saved, after restoring it");
  }
}

}  // namespace bw::livebox
