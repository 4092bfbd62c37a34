#include "discovery/discovery.hpp"

#include <cstdio>
#include <future>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "vendors/registry.hpp"

namespace bw {

namespace {

std::string deadline_message(const std::string& address, std::chrono::milliseconds timeout) {
  std::string within = "before the --timeout deadline ran out";
  if (timeout.count() > 0) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g", static_cast<double>(timeout.count()) / 1000);
    within = std::string("within the ") + seconds + " s --timeout";
  }
  return "the box at " + address + " did not answer " + within +
         " (while finding out which API it speaks); check that it is switched on and that this "
         "computer is on its network, then try again with a longer --timeout (e.g. --timeout 120)";
}

}  // namespace

Discovered discover(const DiscoveryOptions& opts, SessionContext& ctx, DiscoveryProbes& probes) {
  check_network_namespace();
  Discovered d;
  if (opts.gateway) {
    d.target.address = opts.gateway->host;
    d.target.port = opts.gateway->port;
    d.gateway_source = "--gateway";
  } else {
    if (loopback_only()) {
      throw Error(ErrorKind::usage, "BOXWARDEN_NETNS=@loopback: name the emulator with --gateway 127.0.0.1:PORT");
    }
    auto gw = probes.default_gateway();
    if (!gw) {
      throw Error(ErrorKind::unreachable,
                  "no default gateway in the routing table: connect this computer to the box's network, or name the box with --gateway");
    }
    d.target.address = *gw;
    d.gateway_source = "routing table";
  }
  if (loopback_only() && !is_loopback_ipv4(d.target.address)) {
    throw Error(ErrorKind::usage, "BOXWARDEN_NETNS=@loopback allows only 127.0.0.0/8 gateways");
  }

  // NAT-PMP runs beside SSDP; both end as soon as the gateway answers.
  auto natpmp = std::async(std::launch::async, [&] {
    return probes.natpmp(d.target.address, std::chrono::milliseconds(1000));
  });
  auto ssdp = probes.ssdp.search(d.target.address, opts.ssdp_wait, ctx.deadline,
                                 opts.gateway ? SsdpScanner::Multicast::no : SsdpScanner::Multicast::yes);
  d.natpmp_external_ip = natpmp.get();
  d.ignored_ssdp = ssdp.ignored;
  if (!ssdp.accepted.empty()) {
    d.target.igd_desc_url = ssdp.accepted.front().location;
    d.ssdp_server = ssdp.accepted.front().server;
  }

  if (opts.vendor != "auto") {
    const VendorPlugin* p = find_plugin(opts.vendor);
    if (p == nullptr) {
      throw Error(ErrorKind::usage, "unknown vendor '" + opts.vendor + "'; see 'boxwarden vendors'");
    }
    d.plugins.push_back(p);
    // The generic IGD view is merged in when the box also speaks UPnP.
    for (const VendorPlugin* igd : all_plugins()) {
      if (igd != p && has(igd->capabilities(), Capability::generic_igd) && igd->matches(d.target, ctx)) {
        d.plugins.push_back(igd);
      }
    }
    return d;
  }
  for (const VendorPlugin* p : all_plugins()) {
    if (p->matches(d.target, ctx)) {
      d.plugins.push_back(p);
    }
  }
  if (d.plugins.empty() && ctx.deadline.expired()) {
    // Every plugin gave up because no time was left, not because the box answered something
    // else: say so, or the user would hunt for a UPnP switch on a box that was just slow.
    throw Error(ErrorKind::unreachable, deadline_message(d.target.address, opts.timeout));
  }
  // Nothing at all (no SSDP, NAT-PMP or HTTP answer) is a box that is off, unplugged or at
  // another address: the UPnP switch would be the wrong hint.
  bool answered = !d.target.igd_desc_url.empty() || d.natpmp_external_ip.has_value() ||
                  (probes.http_answered && probes.http_answered());
  if (d.plugins.empty() && !answered) {
    throw Error(ErrorKind::unreachable,
                "nothing answered at " + d.target.address + " (no UPnP, NAT-PMP or HTTP answer); "
                "check that the box is switched on, that its cable is plugged in and that the address is right");
  }
  if (d.plugins.empty()) {
    throw Error(ErrorKind::unreachable,
                "the box at " + d.target.address + " answers but speaks neither UPnP IGD nor a known vendor API; "
                "switch UPnP on temporarily or name the vendor with --vendor (see 'boxwarden vendors')");
  }
  return d;
}

}  // namespace bw
