// The plain words `vpn setup` prints: how to install the server and the clients once the
// files are written. People read these; keep them short, concrete and within 80 columns.
#pragma once

#include <string>

#include "vpn/wg_config.hpp"

namespace bw::vpn {

// Steps for the computer that runs the server: Debian/Ubuntu (wireguard-tools and
// wg-quick, started at boot by systemd), Windows and macOS (the WireGuard app).
// `dir` is the --out directory as given.
std::string server_instructions(const WgSetup& setup, const std::string& dir, bool server_is_here);

// Steps for each peer: phone (scan the QR code, shown above when `qr_shown`, or the PNG),
// laptop (import NAME.conf), how to test from outside, and what to do about a lost phone.
std::string client_instructions(const WgSetup& setup, const std::string& dir, bool qr_shown);

}  // namespace bw::vpn
