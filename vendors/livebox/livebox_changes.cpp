#include "vendors/livebox/livebox_changes.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/text.hpp"
#include "vendors/livebox/livebox_rules.hpp"
#include "vendors/livebox/livebox_read.hpp"

namespace bw::livebox {

namespace {

std::string proto_number(Protocol p) {
  return p == Protocol::tcp ? "6" : "17";
}

std::vector<std::string> split_protocols(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty() && std::find(out.begin(), out.end(), item) == out.end()) {
      out.push_back(item);
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The listed rule behind `f`: by id, else (a forward another API reported, without the
// Livebox id) by protocol and external port.
std::optional<Found> find_rule(const json& rules, const PortForward& f) {
  for (const auto& [key, rule] : rules.items()) {
    if (!f.id.empty() && rule_id(key, rule) == f.id) {
      return Found{rule_id(key, rule), rule};
    }
  }
  if (!f.id.empty() && stored_rule(f) != nullptr) {
    return std::nullopt;
  }
  for (const auto& [key, rule] : rules.items()) {
    for (const PortForward& p : parse_port_forwards(json{{key, rule}})) {
      if (p.protocol == f.protocol && p.external_port == f.external_port) {
        return Found{rule_id(key, rule), rule};
      }
    }
  }
  return std::nullopt;
}

// What must match for a rule to count as restored: ports, protocols, host, source, switch.
json signature_of_rule(const json& rule) {
  std::string ext = get_string(rule, "ExternalPort");
  if (auto end = get_int(rule, "ExternalPortEndRange");
      end && *end > 0 && ext.find('-') == std::string::npos && std::to_string(*end) != ext) {
    ext += "-" + std::to_string(*end);
  }
  return json{{"ext", ext},
              {"int", get_string(rule, "InternalPort")},
              {"proto", split_protocols(get_string(rule, "Protocol"))},
              {"dest", get_string(rule, "DestinationIPAddress")},
              {"prefix", get_string(rule, "SourcePrefix")},
              {"enable", get_bool(rule, "Enable").value_or(true)}};
}

json signature_of_params(const json& p) {
  return json{{"ext", p.value("externalPort", "")},
              {"int", p.value("internalPort", "")},
              {"proto", split_protocols(p.value("protocol", ""))},
              {"dest", p.value("destinationIPAddress", "")},
              {"prefix", p.value("sourcePrefix", "")},
              {"enable", p.value("enable", true)}};
}

// The one place that builds a delete: never without an id.
json delete_params(const std::string& id, const std::string& origin, const std::string& dest) {
  if (id.empty() || origin.empty()) {
    throw Error(ErrorKind::unsupported,
                "refusing to delete a Livebox port forward without its exact id and origin: "
                "the box would delete every rule of that origin");
  }
  json p = {{"id", id}, {"origin", origin}};
  if (!dest.empty()) {
    p["destinationIPAddress"] = dest;
  }
  return p;
}

void send_delete(WsClient& ws, const std::string& id, const std::string& origin,
                 const std::string& dest) {
  WsReply r = ws.call("Firewall", "deletePortForwarding", delete_params(id, origin, dest), WsClient::Change::yes);
  if (!r.ok() && !(r.errors.size() == 1 && r.has_error(k_err_rule_not_found))) {
    throw Error(ErrorKind::refused, "the Livebox refused to delete port forward " + printable(id) + ": " +
                                        describe_errors(r.errors));
  }
}

// setPortForwarding parameters that recreate `f`.
json add_params(const PortForward& f) {
  json p;
  if (const json* rule = stored_rule(f)) {
    p = forward_set_params(*rule, get_bool(*rule, "Enable").value_or(f.enabled));
  } else {
    std::string ext = std::to_string(f.external_port);
    if (f.external_port_end > f.external_port) {
      ext += "-" + std::to_string(f.external_port_end);
    }
    std::string origin = rule_origin(f);
    p = {{"origin", origin.empty() ? "webui" : origin},
         {"sourceInterface", "data"},
         {"externalPort", ext},
         {"internalPort", std::to_string(f.internal_port)},
         {"destinationIPAddress", f.internal_host},
         {"sourcePrefix", f.remote_host},
         {"protocol", proto_number(f.protocol)},
         {"enable", f.enabled},
         {"persistent", f.lease_seconds == 0},
         {"description", f.description},
         {"destinationMACAddress", ""}};
    if (f.lease_seconds > 0) {
      p["leaseDuration"] = f.lease_seconds;
    }
  }
  if (p.value("id", "").empty()) {
    p["id"] = !f.id.empty() ? f.id
                            : p["origin"].get<std::string>() + "_boxwarden_" +
                                  std::string(to_string(f.protocol)) + "_" +
                                  std::to_string(f.external_port);
  }
  return p;
}

void set_rule(WsClient& ws, const json& params, const std::string& what) {
  WsReply r = ws.call("Firewall", "setPortForwarding", params, WsClient::Change::yes);
  if (!r.ok()) {
    throw Error(ErrorKind::refused,
                "the Livebox refused to " + what + ": " + describe_errors(r.errors));
  }
}

json dmz_entries(const Dmz& dmz) {
  if (dmz.vendor_data.is_object() && dmz.vendor_data.contains("entries") &&
      dmz.vendor_data["entries"].is_object() && !dmz.vendor_data["entries"].empty()) {
    return dmz.vendor_data["entries"];
  }
  if (dmz.enabled && !dmz.host.empty()) {
    return json{{"webui", {{"SourceInterface", "data"},
                           {"DestinationIPAddress", dmz.host},
                           {"SourcePrefix", ""},
                           {"Enable", true}}}};
  }
  return json::object();
}

bool dmz_entry_matches(const json& a, const json& b) {
  return get_string(a, "DestinationIPAddress") == get_string(b, "DestinationIPAddress") &&
         get_string(a, "SourcePrefix") == get_string(b, "SourcePrefix") &&
         get_bool(a, "Enable").value_or(true) == get_bool(b, "Enable").value_or(true);
}

const char* on_off(bool on) {
  return on ? "on" : "off";
}

}  // namespace

// Throws Error(conflict) when `rule` no longer sends to the machine and port `f` was read with:
// a change acts only on the rule that was read, never on one that took its place (someone
// re-pointed it to another machine while the person read the plan).
void require_same_target(const json& rule, const std::string& id, const PortForward& f, bool for_delete) {
  std::string dest = get_string(rule, "DestinationIPAddress");
  std::string port = get_string(rule, "InternalPort");
  bool same_host = f.internal_host.empty() || dest == f.internal_host;
  bool same_port = f.internal_port == 0 || port.empty() || port == std::to_string(f.internal_port);
  if (same_host && same_port) {
    return;
  }
  std::string desc = get_string(rule, "Description");
  throw Error(ErrorKind::conflict,
              "port forward " + printable(id) + " now goes to " + printable(dest, 45) + " port " + printable(port, 12) +
                  (desc.empty() ? "" : " (\"" + printable(desc, 60) + "\")") + ", not to " + f.internal_host +
                  " as read; " +
                  (for_delete ? "it was left alone: run the command again to see the box as it is now"
                              : "it was left alone: the saved rule cannot be put back without replacing it"));
}

void delete_forward(WsClient& ws, const PortForward& f) {
  auto found = find_rule(list_forward_rules(ws), f);
  if (!found) {
    return;  // already closed: the listing we just read is the verification
  }
  require_same_target(found->rule, found->id, f, true);
  std::string origin = get_string(found->rule, "Origin");
  if (origin.empty()) {
    origin = rule_origin(f);
  }
  auto protos = split_protocols(get_string(found->rule, "Protocol"));
  std::string mine = proto_number(f.protocol);
  std::vector<std::string> rest;
  std::copy_if(protos.begin(), protos.end(), std::back_inserter(rest),
               [&](const std::string& p) { return p != mine; });
  bool narrow = !rest.empty() && rest.size() < protos.size();
  if (narrow) {
    json p = forward_set_params(found->rule, get_bool(found->rule, "Enable").value_or(true));
    p["id"] = found->id;
    p["protocol"] = protocol_list_text(rest);
    set_rule(ws, p, "close " + std::string(to_string(f.protocol)) + " on port forward " + printable(found->id));
  } else {
    send_delete(ws, found->id, origin, get_string(found->rule, "DestinationIPAddress"));
  }
  commit(ws);
  if (ws.rehearsing()) {
    return;  // --dry-run: nothing was sent, there is nothing to see
  }
  auto after = find_by_id(list_forward_rules(ws), found->id);
  auto still = [&](const json& rule) {
    auto now = split_protocols(get_string(rule, "Protocol"));
    return std::find(now.begin(), now.end(), mine) != now.end();
  };
  if (after && (!narrow || still(after->rule))) {
    throw Error(ErrorKind::refused, "port forward " + printable(found->id) +
                                        " is still listed by the Livebox after deleting it");
  }
}

void add_forward(WsClient& ws, const PortForward& f) {
  json p = add_params(f);
  std::string id = p["id"];
  if (auto now = find_by_id(list_forward_rules(ws), id)) {
    if (signature_of_rule(now->rule) == signature_of_params(p)) {
      return;  // already there, exactly
    }
    require_same_target(now->rule, id, f, false);  // the same rule, narrowed or switched off: put back
  }
  set_rule(ws, p, "restore port forward " + printable(id));
  commit(ws);
  if (ws.rehearsing()) {
    return;
  }
  auto after = find_by_id(list_forward_rules(ws), id);
  if (!after || signature_of_rule(after->rule) != signature_of_params(p)) {
    throw Error(ErrorKind::refused, "the Livebox does not list port forward " + printable(id) +
                                        " as it was saved, after restoring it");
  }
}

void set_forward_enabled(WsClient& ws, const PortForward& f, bool enable) {
  auto found = find_rule(list_forward_rules(ws), f);
  if (!found) {
    throw Error(ErrorKind::refused, "the Livebox no longer lists port forward " + printable(f.id));
  }
  require_same_target(found->rule, found->id, f, !enable);
  if (get_bool(found->rule, "Enable").value_or(true) == enable) {
    return;
  }
  json p = forward_set_params(found->rule, enable);
  p["id"] = found->id;
  set_rule(ws, p, std::string(enable ? "enable" : "disable") + " port forward " + printable(found->id));
  commit(ws);
  if (ws.rehearsing()) {
    return;
  }
  auto after = find_by_id(list_forward_rules(ws), found->id);
  if (!after || get_bool(after->rule, "Enable").value_or(!enable) != enable) {
    throw Error(ErrorKind::refused, "port forward " + printable(found->id) + " is not " +
                                        (enable ? "enabled" : "disabled") + " after the change");
  }
}

void clear_dmz(WsClient& ws) {
  json entries = list_dmz(ws);  // named: items() must not outlive a temporary
  for (const auto& [id, entry] : entries.items()) {
    ws.call_ok("Firewall", "deleteDMZ", json{{"id", id}}, ErrorKind::refused, WsClient::Change::yes);
  }
  if (ws.rehearsing()) {
    return;
  }
  json left = list_dmz(ws);
  if (!left.empty()) {
    throw Error(ErrorKind::refused, "the Livebox still lists a DMZ after deleting it (" +
                                        printable(left.begin().key()) + ")");
  }
}

void restore_dmz(WsClient& ws, const Dmz& dmz) {
  json want = dmz_entries(dmz);
  json now = list_dmz(ws);
  for (const auto& [id, entry] : now.items()) {
    if (!want.contains(id)) {
      ws.call_ok("Firewall", "deleteDMZ", json{{"id", id}}, ErrorKind::refused, WsClient::Change::yes);
    }
  }
  for (const auto& [id, entry] : want.items()) {
    if (now.contains(id) && dmz_entry_matches(now[id], entry)) {
      continue;
    }
    ws.call_ok("Firewall", "setDMZ", dmz_set_params(id, entry), ErrorKind::refused, WsClient::Change::yes);
  }
  if (ws.rehearsing()) {
    return;
  }
  json after = list_dmz(ws);
  bool same = after.size() == want.size();
  for (const auto& [id, entry] : want.items()) {
    same = same && after.contains(id) && dmz_entry_matches(after[id], entry);
  }
  if (!same) {
    throw Error(ErrorKind::refused, "the Livebox's DMZ differs from the saved one after restoring it");
  }
}

void set_upnp(WsClient& ws, bool enable) {
  if (read_upnp_enabled(ws) == enable) {
    return;
  }
  // The signature's only argument is called `parameters`, hence the nesting; some
  // firmware may take the flat form, as other objects' generic set does.
  std::string errors;
  for (const json& params : {json{{"parameters", {{"Enable", enable}}}}, json{{"Enable", enable}}}) {
    WsReply r = ws.call("UPnP-IGD", "set", params, WsClient::Change::yes);
    if (!r.ok()) {
      errors += (errors.empty() ? " (" : "; ") + describe_errors(r.errors);
    }
    if (ws.rehearsing() || read_upnp_enabled(ws) == enable) {
      return;
    }
  }
  throw Error(ErrorKind::refused, std::string("the Livebox kept UPnP IGD ") + on_off(!enable) +
                                      " after both forms of UPnP-IGD:set" +
                                      (errors.empty() ? "" : errors + ")"));
}

void set_remote_access(WsClient& ws, bool enable) {
  json ra = read_remote_access(ws);
  if (get_bool(ra, "Enable") == enable) {
    return;
  }
  std::vector<std::pair<std::string, json>> attempts;
  if (enable) {
    json p = json::object();
    if (auto port = get_int(ra, "Port"); port && *port > 0) {
      p["port"] = *port;
    }
    p["secure"] = get_string(ra, "Protocol") != "HTTP";
    p["timeout"] = get_int(ra, "Timeout").value_or(0);
    p["sourcePrefix"] = get_string(ra, "SourcePrefix");
    attempts.emplace_back("enable", p);
  } else {
    attempts.emplace_back("disable", json::object());
    attempts.emplace_back("set", json{{"parameters", {{"Enable", false}}}});
  }
  std::string errors;
  for (const auto& [method, params] : attempts) {
    WsReply r = ws.call("RemoteAccess", method, params, WsClient::Change::yes);
    if (!r.ok()) {
      errors += (errors.empty() ? " (" : "; ") + describe_errors(r.errors);
    }
    if (ws.rehearsing() || get_bool(read_remote_access(ws), "Enable") == enable) {
      return;
    }
  }
  throw Error(ErrorKind::refused, std::string("the Livebox kept remote access ") +
                                      on_off(!enable) + (errors.empty() ? "" : errors + ")"));
}


}  // namespace bw::livebox
