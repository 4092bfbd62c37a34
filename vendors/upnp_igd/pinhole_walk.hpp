// The IPv6 firewall of an IGD (WANIPv6FirewallControl:1), as far as UPnP lets anyone see it:
// GetFirewallStatus, and the pinholes found by asking GetPinholePackets for UniqueIDs 1, 2,
// 3... since the service has no list action. Pure logic (the SOAP calls are a callback), so
// it is unit-tested and fuzzed.
//
// What an answer means (miniupnpd 2.3.1 in the lab, tests/lab/lab_selftest_test.sh):
//   success  a pinhole with that id exists and the asker owns it (its details are still
//            unknown: no action returns them);
//   606      a pinhole of another machine exists: details hidden. Over IPv4 miniupnpd answers
//            606 for every pinhole, since it compares the sender's IPv6 address with the
//            pinhole's;
//   402/704  no pinhole has that id.
// A hostile or broken box can answer 606 for every id forever: the walk is bounded in ids,
// in pinholes reported and in time, and never claims to have seen everything.
//
// miniupnpd 2.3.1 (nftables) is such a box: for an id that does not exist it checks the
// address left in its buffer by the last pinhole it looked up, so once one pinhole was read
// every later id answers like that one (606 over IPv4, success to its owner), and before that
// 402. So the walk first asks a "canary", an id the box has not handed out (65535; miniupnpd
// counts from 1): a box that says it exists proves nothing by its answers and nothing is
// counted; and after each pinhole found it asks the canary again, and stops when the canary
// now "exists" too, since the next ids can no longer be told apart (lab_selftest_test.sh).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bw::igd {

struct FirewallStatus {
  bool enabled = false;                  // FirewallEnabled
  bool inbound_pinhole_allowed = false;  // InboundPinholeAllowed: UPnP may open pinholes
};

// The values of a GetFirewallStatus reply; nullopt unless both are there and are booleans
// ("0"/"1", UPnP also allows "false"/"true", "no"/"yes").
std::optional<FirewallStatus> firewall_status_from_values(const std::map<std::string, std::string>& values);

struct WalkLimits {
  uint32_t max_ids = 1024;   // UniqueIDs asked at most
  uint32_t max_gap = 32;     // stop after this many free ids in a row past the last one found
  size_t max_found = 64;     // pinholes reported at most
  uint32_t canary = 65535;   // an id no pinhole has (0: no canary)
};

struct FoundPinhole {
  uint32_t id = 0;
  bool owned = false;  // the box answered (this host's pinhole), not 606
};

struct PinholeWalk {
  std::vector<FoundPinhole> found;
  uint32_t ids_asked = 0;     // walked ids (1, 2, 3...)
  uint32_t canary_asked = 0;  // questions about the canary id
  // The walk stopped before its normal end (max_gap free ids in a row): a limit, the time, an
  // error or an answer it cannot read. Pinholes past that point are unknown.
  bool cut_short = false;
  std::string stopped;  // why it stopped, for people (no text from the box)
};

// One GetPinholePackets question: the UPnP error code of the answer (0: success). Throws
// bw::Error when there is no usable answer (timeout, oversized or unparsable reply).
using AskPinhole = std::function<int(uint32_t id)>;
// Whether there is still time to ask one more id.
using TimeLeft = std::function<bool()>;

PinholeWalk walk_pinholes(const AskPinhole& ask, const TimeLeft& time_left, const WalkLimits& limits = {});

}  // namespace bw::igd
