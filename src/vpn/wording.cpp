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
    t += "   Copy server.conf to it first (a USB key, not e-mail: it holds a private key).\n";
  }
  t += "   Debian or Ubuntu:\n";
  t += "     sudo apt install wireguard-tools\n";
  t += "     sudo install -m 600 " + conf + " /etc/wireguard/wg0.conf\n";
  t += "     sudo wg-quick up wg0                  (starts it now)\n";
  t += "     sudo systemctl enable wg-quick@wg0    (and at every boot)\n";
  t += "   Windows or macOS: install the WireGuard app (wireguard.com, or the Mac App\n";
  t += "     Store), \"Import tunnel(s) from file\", choose server.conf, then Activate.\n";
  t += "   Keep that computer on: the phones reach the LAN through it. Its firewall\n";
  t += "   must let UDP port " + std::to_string(s.server.listen_port) + " in.\n";
  return t;
}

std::string client_instructions(const WgSetup& s, const std::string& dir, bool qr_shown) {
  std::string t;
  t += "2. Give each phone or laptop its own configuration, never one to two devices\n";
  t += "   (the files are in " + dir + "):\n";
  for (const auto& p : s.peers) {
    std::string pad(p.name.size() < 8 ? 8 - p.name.size() : 1, ' ');
    std::string indent(3 + p.name.size() + pad.size(), ' ');
    t += "   " + p.name + pad + "phone: WireGuard app, +, \"Scan from QR code\", scan " +
         (qr_shown ? "its code above\n" + indent + "  (or " + p.name + ".png)\n" : p.name + ".png\n");
    t += indent + "laptop: WireGuard app, \"Import tunnel(s) from file\", " + p.name + ".conf\n";
    t += indent + "  (Linux: sudo wg-quick up " + path_in(dir, p.name + ".conf") + ")\n";
  }
  t += "3. Test from outside (a phone on mobile data, not on this Wi-Fi): switch the\n";
  t += "   tunnel on and open what you need by its usual LAN address, e.g. " + s.server.lan_host + ".\n";
  t += "   A phone is lost? Delete its [Peer] section from the server's configuration\n";
  t += "   and restart the server.\n";
  return t;
}

}  // namespace bw::vpn
