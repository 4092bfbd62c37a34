// Discovery: which box, where, and which plugins speak to it. The box is the default
// gateway (or --gateway); an IGD is accepted only when its description is served by it.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/cutoff.hpp"
#include "net/gateway.hpp"
#include "net/ssdp.hpp"
#include "vendors/vendor.hpp"

namespace bw {

struct DiscoveryOptions {
  std::optional<HostPort> gateway;       // --gateway
  std::string vendor = "auto";           // --vendor
  // The longest SSDP and NAT-PMP wait. When the box is named (--gateway) its plugins are asked
  // meanwhile, and once one of them has answered the probes wait at most as long again as the
  // box took to answer it (never less than k_probe_grace): no fixed wait for a box that answered.
  std::chrono::milliseconds ssdp_wait{2000};
  static constexpr std::chrono::milliseconds k_probe_grace{50};
  // The whole --timeout, only to say it in the error when the deadline runs out (0: not said).
  std::chrono::milliseconds timeout{0};
};

struct Discovered {
  Target target;
  std::string gateway_source;            // "routing table" or "--gateway"
  std::vector<SsdpReply> ignored_ssdp;   // answers from other hosts (rogue or not)
  std::string ssdp_server;               // SERVER: header of the gateway's answer
  std::optional<std::string> natpmp_external_ip;
  // How long discovery waited, and for what: the gateway's plugins and the probes (-v says it;
  // bench/ shows it).
  std::chrono::milliseconds took{0};
  std::vector<const VendorPlugin*> plugins;  // matching plugins, most capable first
};

// Probes run here (SSDP, NAT-PMP, fingerprints) stay on the gateway's address.
struct DiscoveryProbes {
  SsdpScanner& ssdp;
  std::function<std::optional<std::string>()> default_gateway;
  std::function<std::optional<std::string>(const std::string&, std::chrono::milliseconds, const Cutoff*)> natpmp;
  // Whether the box gave any answer over HTTP (net/answer_watch.hpp); may be empty.
  std::function<bool()> http_answered;
};

// Throws Error(unreachable) when no box is found (saying so when the deadline ran out before
// a plugin recognised the box), Error(usage) for an unknown --vendor.
Discovered discover(const DiscoveryOptions& opts, SessionContext& ctx, DiscoveryProbes& probes);

}  // namespace bw
