// Generic UPnP IGD plugin: works on any box that speaks IGD v1/v2. It sees only the
// mappings made through UPnP/NAT-PMP; static forwards, the DMZ, remote admin and the UPnP
// switch itself stay unknown.
#pragma once

#include "vendors/vendor.hpp"

namespace bw {

const VendorPlugin& upnp_igd_plugin();

}  // namespace bw
