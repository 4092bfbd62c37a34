#pragma once

#include "vendors/vendor.hpp"

namespace bw {

// OpenWrt through ubus JSON-RPC (rpcd) and UCI: vendors/openwrt/openwrt.cpp.
const VendorPlugin& openwrt_plugin();

}  // namespace bw
