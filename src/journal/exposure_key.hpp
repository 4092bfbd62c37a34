// The stable name of an exposure across runs: built from the rule and what the finding is
// about, never from words that change (titles, translations), so that the journal can tell
// the same opening seen in May from a new one. Examples:
//   EXPOSE-SERVICE|port_forward|TCP/11112|192.168.1.10
//   EXPOSE-DMZ|dmz|192.168.1.10
//   UPNP-ENABLED|upnp_igd
#pragma once

#include <string>

#include "rules/finding.hpp"

namespace bw {

std::string exposure_key(const Finding& f);
// The same key for an action's target (an action names its finding's rule and subject).
std::string exposure_key(const std::string& rule, const Subject& subject);

// The LAN machine a key names ("192.168.1.10"), or "" when it names none (UPnP, remote admin).
std::string machine_of_key(const std::string& key);

}  // namespace bw
