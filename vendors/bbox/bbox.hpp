#pragma once

#include "vendors/vendor.hpp"

namespace bw {

// The Bouygues Telecom Bbox plugin (its /api/v1 local API): see bbox_api.hpp for the transport.
const VendorPlugin& bbox_plugin();

}  // namespace bw
