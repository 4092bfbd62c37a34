#include "vpn/wording.hpp"

#include <filesystem>

namespace bw::vpn {

namespace {

std::string path_in(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();
}

}  // namespace

std::string server_instructions(const WgSetup& s, const std::string& dir, bool server_is_here) {
  std::string conf = path_in(dir, "server.conf");
  std::string who = server_is_here ? "this computer (" + s.server.lan_host + ")" : "the computer " + s.server.lan_host;
  std::string t;
  t += "1. Start the WireGuard server on " + who + ".\n";
  if (!server_is_here) {
    t += "   Copy " + conf + " to it first (USB key or a private share; it holds a private key).\n";
  }
  t += "   Debian or Ubuntu:\n";
  t += "     sudo apt install wireguard-tools\n";
  t += "     sudo install -m 600 " + conf + " /etc/wireguard/wg0.conf\n";
  t += "     sudo wg-quick up wg0                   (starts it now)\n";
  t += "     sudo systemctl enable wg-quick@wg0     (starts it at every boot)\n";
  t += "   Windows or macOS: install the WireGuard app (from wireguard.com, or the Mac App Store),\n";
  t += "     choose \"Import tunnel(s) from file\", pick server.conf, then Activate.\n";
  t += "   Keep that computer switched on: the phones reach the LAN through it. Its UDP port " +
       std::to_string(s.server.listen_port) + " must not be blocked by its own firewall.\n";
  return t;
}

std::string client_instructions(const WgSetup& s, const std::string& dir) {
  std::string t;
  t += "2. Give each phone or laptop its own file (never the same one to two devices):\n";
  for (const auto& p : s.peers) {
    t += "   " + p.name + ": phone: install the WireGuard app, tap +, \"Scan from QR code\", and scan its code\n";
    t += "     (shown above on a terminal, and in " + path_in(dir, p.name + ".png") + ");\n";
    t += "     laptop: in the WireGuard app, \"Import tunnel(s) from file\", " + path_in(dir, p.name + ".conf") +
         " (Linux: sudo wg-quick up " + path_in(dir, p.name + ".conf") + ").\n";
  }
  t += "3. Test from outside (a phone on mobile data, not on this Wi-Fi): switch the tunnel on and open\n";
  t += "   what you need on the LAN by its usual address, e.g. " + s.server.lan_host + ".\n";
  t += "   A phone is lost? Remove its [Peer] section from the server's file and restart the server.\n";
  return t;
}

}  // namespace bw::vpn
