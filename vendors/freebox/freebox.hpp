#pragma once

#include "vendors/vendor.hpp"

namespace bw {

// The Freebox plugin (Free's Freebox OS local API): see freebox_api.hpp for the transport.
const VendorPlugin& freebox_plugin();

}  // namespace bw
