// The root CAs Free publishes for the Freebox's HTTPS API (TlsTrust::ca). Each one was
// checked against the SHA-256 fingerprint Free publishes (vendors_freebox_parse_test.cpp
// checks them again).
#pragma once

#include <string_view>

namespace bw::freebox {

// Freebox ECC Root CA (Freebox SA, 2015-09-01 to 2035-08-27), SHA-256
// 23:CF:B7:26:36:BE:66:5D:BB:F2:FE:3E:05:27:90:47:71:A8:DF:F1:BA:CE:46:1D:8B:D6:9F:34:81:2C:24:44,
// and Freebox Root CA (RSA 4096, 2015-07-30 to 2035-07-25), SHA-256
// 2B:D8:B5:BE:1A:99:0E:42:AD:1B:D7:9C:30:6E:B5:19:B6:37:EE:24:75:C0:D9:31:F2:57:53:56:10:E9:C3:E7.
// Source: shared/vendor-api/freebox.md section 2.2 (Free's developer documentation), PEMs
// from hacf-fr/freebox-api src/freebox_api/freebox_certificates.pem.
extern const std::string_view k_freebox_root_cas_pem;

}  // namespace bw::freebox
