// SSDP search for the box's UPnP IGD. Our own socket, so the sender of each reply is
// known: only a reply sent by the gateway whose LOCATION points at the gateway is kept
// (a rogue LAN host answering first is ignored). Returns as soon as the gateway answered.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>
#include <string>
#include <vector>

namespace bw {

class Cutoff;
class Deadline;

struct SsdpReply {
  std::string from;      // sender IPv4
  std::string location;  // LOCATION: header
  std::string st;
  std::string server;
};

struct SsdpResult {
  std::vector<SsdpReply> accepted;  // from the gateway, LOCATION on the gateway
  std::vector<SsdpReply> ignored;   // everyone else (reported with -v)
};

class SsdpScanner {
 public:
  virtual ~SsdpScanner() = default;
  // Waits at most `wait` (and never past the deadline, nor past `cutoff` once another thread
  // sets it; null: no cutoff) for the gateway's answer. The search goes to the gateway by
  // unicast, and also to the SSDP multicast group (TTL 2) only when `multicast` is
  // Multicast::yes (discovery, not a box named with --gateway).
  enum class Multicast { no, yes };
  virtual SsdpResult search(const std::string& gateway, std::chrono::milliseconds wait,
                            const Deadline& deadline, Multicast multicast, const Cutoff* cutoff) = 0;
};

std::unique_ptr<SsdpScanner> make_udp_ssdp_scanner();

// Pure parsing of one datagram (exposed for tests and fuzzing). Returns false when the
// datagram is not an SSDP answer with a LOCATION.
bool parse_ssdp_reply(std::string_view datagram, SsdpReply& out);
// True when `location` is http://GATEWAY[:port]/... with GATEWAY as an IPv4 literal.
bool location_on_host(const std::string& location, const std::string& host);

}  // namespace bw
