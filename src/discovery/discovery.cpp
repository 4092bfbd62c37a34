#include "discovery/discovery.hpp"

#include <algorithm>
#include <cstdio>
#include <future>

#include "core/i18n.hpp"
#include "core/deadline.hpp"
#include "core/error.hpp"
#include "vendors/registry.hpp"

namespace bw {

namespace {

std::string deadline_message(const std::string& address, std::chrono::milliseconds timeout) {
  if (timeout.count() > 0) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g", static_cast<double>(timeout.count()) / 1000);
    return fill(tr("the box at {address} did not answer within the {seconds} s --timeout (while finding out which "
                   "API it speaks); check that it is switched on and that this computer is on its network, then "
                   "try again with a longer --timeout (e.g. --timeout 120)"),
                {{"address", address}, {"seconds", seconds}});
  }
  return fill(tr("the box at {address} did not answer before the --timeout deadline ran out (while finding out "
                 "which API it speaks); check that it is switched on and that this computer is on its network, "
                 "then try again with a longer --timeout (e.g. --timeout 120)"),
              {{"address", address}});
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
                  tr("no default gateway in the routing table: connect this computer to the box's network, or name the box with --gateway"));
    }
    d.target.address = *gw;
    d.gateway_source = "routing table";
  }
  if (loopback_only() && !is_loopback_ipv4(d.target.address)) {
    throw Error(ErrorKind::usage, "BOXWARDEN_NETNS=@loopback allows only 127.0.0.0/8 gateways");
  }

  // A usage error before any network I/O.
  const VendorPlugin* forced = nullptr;
  if (opts.vendor != "auto") {
    forced = find_plugin(opts.vendor);
    if (forced == nullptr) {
      throw Error(ErrorKind::usage, fill(tr("unknown vendor '{vendor}'; see 'boxwarden vendors'"), {{"vendor", opts.vendor}}));
    }
  }

  // SSDP and NAT-PMP run in the background while the box's own APIs are asked here; both end
  // as soon as the gateway answers them, and once a vendor plugin has recognised the box they
  // wait at most as long again as the box took (the cutoff): a box that answered its API is
  // not kept waiting for a UPnP or NAT-PMP answer that may never come.
  const auto started = Deadline::Clock::now();
  Cutoff cutoff;
  auto natpmp = std::async(std::launch::async, [&] {
    return probes.natpmp(d.target.address, std::chrono::milliseconds(1000), &cutoff);
  });
  auto ssdp = std::async(std::launch::async, [&] {
    return probes.ssdp.search(d.target.address, opts.ssdp_wait, ctx.deadline,
                              opts.gateway ? SsdpScanner::Multicast::no : SsdpScanner::Multicast::yes, &cutoff);
  });
  // Whatever ends this scope (a plugin's exception too) ends the probes at once: the futures
  // wait for them when they are destroyed.
  struct EndProbes {
    Cutoff& c;
    ~EndProbes() { c.set(Deadline::Clock::now()); }
  } end_probes{cutoff};

  auto is_generic = [](const VendorPlugin* p) { return has(p->capabilities(), Capability::generic_igd); };
  std::vector<const VendorPlugin*> recognised;  // the vendor plugins that answered, in registry order
  if (forced != nullptr && !is_generic(forced)) {
    // --vendor: the plugin is taken without asking the box (as before); the probes get only
    // the grace, since nothing measured how long this box takes.
    recognised.push_back(forced);
    cutoff.set(Deadline::Clock::now() + DiscoveryOptions::k_probe_grace);
  } else if (forced == nullptr) {
    for (const VendorPlugin* p : all_plugins()) {
      if (!is_generic(p) && p->matches(d.target, ctx)) {
        recognised.push_back(p);
      }
    }
    if (!recognised.empty()) {
      auto took = Deadline::Clock::now() - started;
      cutoff.set(Deadline::Clock::now() + std::max<Deadline::Clock::duration>(took, DiscoveryOptions::k_probe_grace));
    }
  }

  SsdpResult found_ssdp = ssdp.get();
  d.natpmp_external_ip = natpmp.get();
  d.ignored_ssdp = found_ssdp.ignored;
  if (!found_ssdp.accepted.empty()) {
    d.target.igd_desc_url = found_ssdp.accepted.front().location;
    d.ssdp_server = found_ssdp.accepted.front().server;
  }

  // The generic UPnP IGD view: the box itself with --vendor naming the generic plugin, merged in beside a vendor
  // plugin when the box also speaks UPnP. Plugins stay in registry order, most capable first.
  for (const VendorPlugin* p : all_plugins()) {
    if (std::find(recognised.begin(), recognised.end(), p) != recognised.end() ||
        (is_generic(p) && (forced == nullptr || forced == p || !is_generic(forced)) && p->matches(d.target, ctx))) {
      d.plugins.push_back(p);
    }
  }
  if (forced != nullptr && is_generic(forced) && d.plugins.empty()) {
    d.plugins.push_back(forced);  // as before: --vendor is taken at its word
  }
  d.took = std::chrono::duration_cast<std::chrono::milliseconds>(Deadline::Clock::now() - started);
  if (forced != nullptr) {
    return d;
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
                fill(tr("nothing answered at {address} (no UPnP, NAT-PMP or HTTP answer); check that the box is "
                        "switched on, that its cable is plugged in and that the address is right"),
                     {{"address", d.target.address}}));
  }
  if (d.plugins.empty()) {
    throw Error(ErrorKind::unreachable,
                fill(tr("the box at {address} answers but speaks neither UPnP IGD nor a known vendor API; switch UPnP "
                        "on temporarily or name the vendor with --vendor (see 'boxwarden vendors')"),
                     {{"address", d.target.address}}));
  }
  return d;
}

}  // namespace bw
