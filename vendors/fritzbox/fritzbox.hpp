#pragma once

#include "vendors/vendor.hpp"

namespace bw {

// The AVM FRITZ!Box plugin (TR-064: SOAP with HTTP Digest): see fritzbox_tr064.hpp for the transport.
const VendorPlugin& fritzbox_plugin();

}  // namespace bw
