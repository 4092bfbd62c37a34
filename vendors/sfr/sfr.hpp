#pragma once

#include "vendors/vendor.hpp"

namespace bw {

// The SFR box plugin (neufbox 4/5/6, SFR Box 8 and 10): identifies the box through its public
// API and reads its firewall filters. Its API has no method for NAT, DMZ, UPnP or remote
// administration: those stay unknown, with the menus of its web interface as manual steps.
const VendorPlugin& sfr_plugin();

}  // namespace bw
