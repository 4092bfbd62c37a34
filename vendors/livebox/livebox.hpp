// The Orange Livebox plugin (LB3 with 2017+ firmware to LB7, W7, Livebox S, Pro 6): reads
// and changes port forwards, the DMZ, the UPnP IGD switch and remote access through the
// box's own `/ws` API (shared/vendor-api/livebox.md). Orange Spain models and Orange
// Wi-Fi repeaters are not matched. Everything else lives in livebox.cpp.
#pragma once

#include "vendors/vendor.hpp"

namespace bw {

const VendorPlugin& livebox_plugin();

}  // namespace bw
