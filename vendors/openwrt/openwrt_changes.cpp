#include "vendors/openwrt/openwrt_changes.hpp"

#include <algorithm>
#include <functional>
#include <thread>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"
#include "vendors/openwrt/openwrt_read.hpp"

namespace bw::openwrt {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Staged {
  std::string method;
  ojson args;
  std::string shown;
};

const Section* owrt_find_section(const std::vector<Section>& all, const std::string& name) {
  for (const Section& s : all) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string owrt_shown(const std::string& method, const ojson& args) {
  return "uci " + method + " " + args.dump();
}

// Best effort: the router's pending apply rolled back now, and the session's staged leftovers gone.
void owrt_cleanup(Ubus& api, const std::vector<std::string>& configs) {
  try {
    api.write("uci", "rollback", ojson::object(), "uci rollback");
  } catch (const Error&) {
  }
  for (const std::string& c : configs) {
    try {
      api.write("uci", "revert", ojson{{"config", c}}, owrt_shown("revert", ojson{{"config", c}}));
    } catch (const Error&) {
    }
  }
}

// The whole transaction of the header's contract. `in_effect` re-reads through new calls.
void owrt_transaction(Ubus& api, const std::vector<std::string>& configs, const std::vector<Staged>& calls,
                      const std::function<bool()>& in_effect, const std::string& what) {
  const Deadline& deadline = api.deadline();
  for (const Staged& c : calls) {
    Reply r;
    try {
      r = api.write("uci", c.method, c.args, c.shown);
    } catch (const Error& e) {
      owrt_cleanup(api, configs);
      throw;
    }
    if (r.status != 0) {
      owrt_cleanup(api, configs);
      throw Error(r.status == k_ubus_permission_denied ? ErrorKind::auth : ErrorKind::refused,
                  fill(tr("the router refused to {what} (uci {method}: {status})"),
                       {{"what", what}, {"method", c.method}, {"status", status_name(r.status)}}));
    }
  }
  auto timeout = apply_timeout(deadline.remaining());
  ojson apply_args = {{"rollback", true}, {"timeout", static_cast<int>(timeout.count())}};
  std::optional<Error> failure;
  bool link_failed = false;
  try {
    Reply r = api.write("uci", "apply", apply_args, owrt_shown("apply", apply_args));
    if (r.status != 0) {
      owrt_cleanup(api, configs);
      throw Error(ErrorKind::refused, fill(tr("the router refused to {what} (uci apply: {status})"),
                                           {{"what", what}, {"status", status_name(r.status)}}));
    }
    if (api.rehearsing()) {
      api.write("uci", "confirm", ojson::object(), "uci confirm");
      return;
    }
    if (!in_effect()) {
      owrt_cleanup(api, configs);
      throw Error(ErrorKind::refused, fill(tr("the router does not show the change after applying it ({what}): it was "
                                              "rolled back"),
                                           {{"what", what}}));
    }
    Reply c = api.write("uci", "confirm", ojson::object(), "uci confirm");
    if (c.status == 0) {
      return;
    }
    failure = Error(ErrorKind::refused, fill(tr("the router refused to confirm the change ({what}: uci confirm: {status})"),
                                             {{"what", what}, {"status", status_name(c.status)}}));
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::unreachable && e.kind() != ErrorKind::protocol) {
      throw;
    }
    failure = e;
    link_failed = true;
  }
  // Not confirmed. Roll back now when the router answers; else let its own timer do it.
  owrt_cleanup(api, configs);
  bool back = false;
  for (;;) {
    try {
      bool effect = in_effect();
      // In effect with nothing pending: the confirm did reach the router (its answer was lost).
      if (effect) {
        Reply again = api.write("uci", "rollback", ojson::object(), "uci rollback");
        if (again.status == k_ubus_no_data) {
          return;
        }
        // Rolled back now (0), or pending for another session (6): read again shortly.
        std::this_thread::sleep_for(again.status == 0 ? 0ms : 500ms);
        if (deadline.remaining() <= 500ms) {
          break;
        }
        continue;
      }
      back = true;
      break;
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::unreachable && e.kind() != ErrorKind::protocol && e.kind() != ErrorKind::auth) {
        throw;
      }
    }
    // Not answering: rebooting (back soon, the apply maybe never made), or cut off by the change
    // itself (back once rpcd's timer, `timeout` after the apply, restored the snapshot).
    if (deadline.remaining() <= 500ms) {
      break;
    }
    std::this_thread::sleep_for(500ms);
  }
  std::string why = failure ? failure->what() : "";
  if (!back) {
    throw Error(ErrorKind::unreachable,
                fill(tr("the router stopped answering after applying a change ({what}; {why}); it rolls the change "
                        "back by itself {seconds} s after the apply (OpenWrt's apply-with-rollback)"),
                     {{"what", what}, {"why", why}, {"seconds", std::to_string(timeout.count())}}));
  }
  throw Error(link_failed ? ErrorKind::unreachable : ErrorKind::refused,
              fill(tr("the change was not confirmed ({what}; {why}): the router rolled it back"),
                   {{"what", what}, {"why", why}}));
}

std::vector<Section> owrt_firewall(Ubus& api) {
  return read_config(api, "firewall");
}

// `enabled` of the section as read now ("1" when absent), or nullopt when the section is gone.
std::optional<bool> owrt_enabled(const std::vector<Section>& all, const std::string& name) {
  const Section* s = owrt_find_section(all, name);
  if (s == nullptr) return std::nullopt;
  return uci_bool(s->get("enabled", "1")).value_or(true);
}

Section owrt_saved_section(const json& vendor_data) {
  auto it = vendor_data.find("openwrt");
  if (it == vendor_data.end() || !it->is_object() || !it->contains("section")) {
    throw Error(ErrorKind::unsupported, tr("the saved OpenWrt redirect is missing from the backup"));
  }
  return section_from_json((*it)["section"]);
}

bool owrt_same_options(const Section& a, const Section& b) {
  if (a.options.size() != b.options.size()) return false;
  for (size_t i = 0; i < a.options.size(); ++i) {
    if (a.options[i].first != b.options[i].first || a.options[i].second != b.options[i].second) return false;
  }
  return true;
}

// The calls that put `enabled` of section `name` back to `saved` (nullopt: the option was absent).
std::vector<Staged> owrt_put_enabled(const std::string& config, const std::string& name,
                                     const std::optional<std::string>& saved, bool drop_marker) {
  std::vector<Staged> calls;
  ojson drop = ojson::array();
  if (saved) {
    ojson args = {{"config", config}, {"section", name}, {"values", {{"enabled", *saved}}}};
    calls.push_back({"set", args, owrt_shown("set", args)});
  } else {
    drop.push_back("enabled");
  }
  if (drop_marker) drop.push_back(std::string(k_marker));
  if (!drop.empty()) {
    ojson args = {{"config", config}, {"section", name}, {"options", drop}};
    calls.push_back({"delete", args, owrt_shown("delete", args)});
  }
  return calls;
}

}  // namespace

std::chrono::seconds apply_timeout(std::chrono::milliseconds remaining) {
  auto t = std::chrono::duration_cast<std::chrono::seconds>(remaining / 4);
  return std::clamp<std::chrono::seconds>(t, 5s, 30s);
}

void disable_forward(Ubus& api, const PortForward& f) {
  Section saved = owrt_saved_section(f.vendor_data);
  std::vector<Section> now = owrt_firewall(api);
  const Section* cur = owrt_find_section(now, saved.name);
  if (cur == nullptr || !uci_bool(cur->get("enabled", "1")).value_or(true)) {
    return;  // gone or already off
  }
  if (cur->get("dest_ip") != saved.get("dest_ip") || cur->get("src_dport") != saved.get("src_dport")) {
    throw Error(ErrorKind::conflict,
                fill(tr("redirect {name} now goes to {host}, not to {was} as read; it was left alone: run the command "
                        "again to see the router as it is now"),
                     {{"name", printable(saved.name, 40)}, {"host", printable(cur->get("dest_ip"), 45)},
                      {"was", saved.get("dest_ip")}}));
  }
  ojson args = {{"config", "firewall"}, {"section", saved.name}, {"values", {{"enabled", "0"}}}};
  std::string name = saved.name;
  owrt_transaction(api, {"firewall"}, {{"set", args, owrt_shown("set", args)}},
                   [&] { return owrt_enabled(owrt_firewall(api), name) != true; },
                   fill(tr("switch port forward {key} off"), {{"key", f.key()}}));
}

void restore_forward(Ubus& api, const PortForward& f) {
  Section saved = owrt_saved_section(f.vendor_data);
  std::vector<Section> now = owrt_firewall(api);
  const Section* cur = owrt_find_section(now, saved.name);
  std::string what = fill(tr("put port forward {key} back"), {{"key", f.key()}});
  auto exact = [&] {
    std::vector<Section> all = owrt_firewall(api);
    const Section* s = owrt_find_section(all, saved.name);
    return s != nullptr && owrt_same_options(*s, saved);
  };
  if (cur != nullptr && owrt_same_options(*cur, saved)) {
    return;
  }
  std::vector<Staged> calls;
  if (cur != nullptr) {
    if (cur->get("dest_ip") != saved.get("dest_ip") || cur->get("src_dport") != saved.get("src_dport")) {
      throw Error(ErrorKind::conflict, fill(tr("redirect {name} was changed since the backup; it was left alone"),
                                            {{"name", printable(saved.name, 40)}}));
    }
    std::optional<std::string> enabled;
    if (saved.find("enabled") != nullptr) enabled = saved.get("enabled");
    calls = owrt_put_enabled("firewall", saved.name, enabled, false);
  } else {
    // Gone meanwhile: added again with its name, every option in order, at its place.
    ojson values = ojson::object();
    for (const auto& [k, v] : saved.options) values[k] = v;
    ojson add = {{"config", "firewall"}, {"type", saved.type}, {"name", saved.name}, {"values", values}};
    calls.push_back({"add", add, owrt_shown("add", add)});
    ojson order = ojson::array();
    bool placed = false;
    for (const Section& s : now) {
      if (!placed && s.index >= saved.index) {
        order.push_back(saved.name);
        placed = true;
      }
      order.push_back(s.name);
    }
    if (!placed) order.push_back(saved.name);
    ojson ord = {{"config", "firewall"}, {"sections", order}};
    calls.push_back({"order", ord, "uci order firewall (the redirect back at its place)"});
  }
  owrt_transaction(api, {"firewall"}, calls, exact, what);
}

void disable_exposed_host(Ubus& api, const Dmz& d) {
  std::string name = d.vendor_data.value("/openwrt/section"_json_pointer, std::string());
  std::vector<Section> now = owrt_firewall(api);
  if (name.empty() || owrt_enabled(now, name) != true) {
    return;
  }
  ojson args = {{"config", "firewall"}, {"section", name}, {"values", {{"enabled", "0"}}}};
  owrt_transaction(api, {"firewall"}, {{"set", args, owrt_shown("set", args)}},
                   [&] { return owrt_enabled(owrt_firewall(api), name) != true; }, tr("switch the exposed host off"));
}

void restore_exposed_host(Ubus& api, const Dmz& d) {
  std::string name = d.vendor_data.value("/openwrt/section"_json_pointer, std::string());
  if (name.empty()) {
    throw Error(ErrorKind::unsupported, tr("no saved exposed host to put back on the router"));
  }
  const json& was = d.vendor_data["openwrt"]["enabled"];
  std::optional<std::string> enabled;
  if (was.is_string()) enabled = was.get<std::string>();
  std::vector<Section> now = owrt_firewall(api);
  if (owrt_enabled(now, name) == true) {
    return;
  }
  if (owrt_find_section(now, name) == nullptr) {
    throw Error(ErrorKind::refused, tr("the exposed host's redirect is gone from the router; make it again in LuCI"));
  }
  owrt_transaction(api, {"firewall"}, owrt_put_enabled("firewall", name, enabled, false),
                   [&] { return owrt_enabled(owrt_firewall(api), name) == true; }, tr("put the exposed host back"));
}

void set_upnp(Ubus& api, bool on) {
  auto read = [&] { return parse_upnpd(read_config(api, "upnpd")); };
  Upnpd u = read();
  if (u.enabled.value_or(true) == on) {
    return;
  }
  std::vector<Staged> calls;
  if (!on) {
    std::string was;
    for (const Section& s : read_config(api, "upnpd")) {
      if (s.name == u.section) was = s.get("enabled");
    }
    ojson args = {{"config", "upnpd"}, {"section", u.section},
                  {"values", {{"enabled", "0"}, {std::string(k_marker), u.enabled_option_present ? was : ""}}}};
    calls.push_back({"set", args, owrt_shown("set", args)});
  } else if (u.marked) {
    std::optional<std::string> was;
    for (const Section& s : read_config(api, "upnpd")) {
      if (s.name == u.section && !s.get(k_marker).empty()) was = s.get(k_marker);
    }
    calls = owrt_put_enabled("upnpd", u.section, was, true);
  } else {
    ojson args = {{"config", "upnpd"}, {"section", u.section}, {"values", {{"enabled", "1"}}}};
    calls.push_back({"set", args, owrt_shown("set", args)});
  }
  owrt_transaction(api, {"upnpd"}, calls, [&] { return read().enabled.value_or(true) == on; },
                   on ? tr("switch UPnP on") : tr("switch UPnP off"));
}

void set_remote_admin(Ubus& api, bool on) {
  std::vector<uint16_t> ports = read_admin_ports(api);
  std::vector<Section> all = owrt_firewall(api);
  Firewall fw = parse_firewall(all);
  if (remote_admin_open(fw, ports) == on) {
    return;
  }
  std::vector<Staged> calls;
  if (!on) {
    if (fw.wan_input && (*fw.wan_input == "ACCEPT" || *fw.wan_input == "accept")) {
      throw Error(ErrorKind::unsupported, tr("the router's wan zone accepts every input: set its Input to reject in "
                                             "Network > Firewall (boxwarden does not change zones)"));
    }
    for (const InputRule& r : fw.input_rules) {
      if (!opens_admin(r, ports)) continue;
      const Section* s = owrt_find_section(all, r.section);
      std::string was = (s != nullptr && s->find("enabled") != nullptr) ? s->get("enabled") : "";
      ojson args = {{"config", "firewall"}, {"section", r.section},
                    {"values", {{"enabled", "0"}, {std::string(k_marker), was}}}};
      calls.push_back({"set", args, owrt_shown("set", args)});
    }
  } else {
    for (const InputRule& r : fw.input_rules) {
      if (!r.marked) continue;
      const Section* s = owrt_find_section(all, r.section);
      std::optional<std::string> was;
      if (s != nullptr && !s->get(k_marker).empty()) was = s->get(k_marker);
      for (Staged& c : owrt_put_enabled("firewall", r.section, was, true)) calls.push_back(std::move(c));
    }
    if (calls.empty()) {
      throw Error(ErrorKind::unsupported, tr("no rule on the router was switched off by boxwarden: open the admin ports "
                                             "again in Network > Firewall > Traffic Rules"));
    }
  }
  owrt_transaction(api, {"firewall"}, calls,
                   [&] { return remote_admin_open(parse_firewall(owrt_firewall(api)), ports) == on; },
                   on ? tr("switch remote administration on") : tr("switch remote administration off"));
}

}  // namespace bw::openwrt
