#include "vendors/upnp_igd/pinhole_walk.hpp"

#include "core/error.hpp"

namespace bw::igd {

namespace {

std::optional<bool> upnp_bool(const std::map<std::string, std::string>& values, const char* name) {
  auto it = values.find(name);
  if (it == values.end()) {
    return std::nullopt;
  }
  const std::string& v = it->second;
  if (v == "1" || v == "true" || v == "yes") {
    return true;
  }
  if (v == "0" || v == "false" || v == "no") {
    return false;
  }
  return std::nullopt;
}

}  // namespace

std::optional<FirewallStatus> firewall_status_from_values(const std::map<std::string, std::string>& values) {
  auto enabled = upnp_bool(values, "FirewallEnabled");
  auto allowed = upnp_bool(values, "InboundPinholeAllowed");
  if (!enabled || !allowed) {
    return std::nullopt;
  }
  return FirewallStatus{*enabled, *allowed};
}

PinholeWalk walk_pinholes(const AskPinhole& ask, const TimeLeft& time_left, const WalkLimits& limits) {
  PinholeWalk w;
  uint32_t gap = 0;
  auto cut = [&](std::string why) {
    w.cut_short = true;
    w.stopped = std::move(why);
    return w;
  };
  // Asks the canary: "" when the box says it does not exist, else why the walk must stop.
  const std::string canary = std::to_string(limits.canary);
  auto canary_stop = [&](const std::string& if_exists) -> std::string {
    if (!time_left()) {
      return "out of time after " + std::to_string(w.ids_asked) + " ids";
    }
    try {
      ++w.canary_asked;
      int code = ask(limits.canary);
      return code == 0 || code == 606 ? if_exists : "";
    } catch (const Error& e) {
      return "no usable answer for id " + canary + ": " + e.what();
    }
  };
  if (limits.canary != 0) {
    auto why = canary_stop("the box answers as if id " + canary +
                           ", which it has not handed out, existed: its answers do not tell which pinholes exist");
    if (!why.empty()) {
      return cut(why);
    }
  }
  for (uint32_t id = 1; id <= limits.max_ids; ++id) {
    if (!time_left()) {
      return cut("out of time after " + std::to_string(w.ids_asked) + " ids");
    }
    int code = 0;
    try {
      ++w.ids_asked;
      code = ask(id);
    } catch (const Error& e) {
      return cut(std::string("no usable answer for id ") + std::to_string(id) + ": " + e.what());
    }
    if (code == 0 || code == 606) {
      w.found.push_back({id, code == 0});
      gap = 0;
      if (w.found.size() >= limits.max_found) {
        return cut("the first " + std::to_string(w.found.size()) + " pinholes are reported; there may be more");
      }
      if (limits.canary != 0) {
        auto why = canary_stop("after pinhole " + std::to_string(id) + " the box answers as if id " + canary +
                               " existed too: the next pinholes cannot be told apart");
        if (!why.empty()) {
          return cut(why);
        }
      }
      continue;
    }
    if (code == 402 || code == 704) {
      if (++gap >= limits.max_gap) {
        w.stopped = std::to_string(gap) + " free ids in a row after id " + std::to_string(id - gap);
        return w;
      }
      continue;
    }
    if (code == 702) {
      // FirewallDisabled: every IPv6 port is open anyway; there is nothing to walk.
      w.stopped = "the box says its IPv6 firewall is disabled (UPnP error 702)";
      return w;
    }
    if (code == 401) {
      return cut("the box does not offer GetPinholePackets (UPnP error 401)");
    }
    return cut("the box answered UPnP error " + std::to_string(code) + " for id " + std::to_string(id));
  }
  return cut("stopped at id " + std::to_string(limits.max_ids) + " (the limit), still finding pinholes");
}

}  // namespace bw::igd
