#include "vpn/wording.hpp"

#include <filesystem>

#include "core/i18n.hpp"

namespace bw::vpn {

namespace {

std::string path_in(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();
}

}  // namespace

std::string server_instructions(const WgSetup& s, const std::string& dir, bool server_is_here) {
  std::string conf = path_in(dir, "server.conf");
  std::string t = server_is_here ? fill(tr("1. Start the WireGuard server on this computer ({host}).\n"), {{"host", s.server.lan_host}})
                                 : fill(tr("1. Start the WireGuard server on the computer {host}.\n"
                                           "   Copy server.conf to it first (a USB key, not e-mail: it holds a private key).\n"),
                                        {{"host", s.server.lan_host}});
  t += tr("   Debian or Ubuntu:\n");
  t += "     sudo apt install wireguard-tools\n";
  t += "     sudo install -m 600 " + conf + " /etc/wireguard/wg0.conf\n";
  t += tr("     sudo wg-quick up wg0                  (starts it now)\n");
  t += tr("     sudo systemctl enable wg-quick@wg0    (and at every boot)\n");
  t += fill(tr("   Windows or macOS: install the WireGuard app (wireguard.com, or the Mac App\n"
               "     Store), \"Import tunnel(s) from file\", choose server.conf, then Activate.\n"
               "   Keep that computer on: the phones reach the LAN through it. Its firewall\n"
               "   must let UDP port {port} in.\n"),
            {{"port", std::to_string(s.server.listen_port)}});
  return t;
}

std::string client_instructions(const WgSetup& s, const std::string& dir, bool qr_shown) {
  std::string t = fill(tr("2. Give each phone or laptop its own configuration, never one to two devices\n"
                          "   (the files are in {dir}):\n"),
                       {{"dir", dir}});
  for (const auto& p : s.peers) {
    std::string pad(p.name.size() < 8 ? 8 - p.name.size() : 1, ' ');
    std::string indent(3 + p.name.size() + pad.size(), ' ');
    t += "   " + p.name + pad +
         (qr_shown ? fill(tr("phone: WireGuard app, +, \"Scan from QR code\", scan its code above\n{indent}  (or {name}.png)\n"),
                          {{"indent", indent}, {"name", p.name}})
                   : fill(tr("phone: WireGuard app, +, \"Scan from QR code\", scan {name}.png\n"), {{"name", p.name}}));
    t += indent + fill(tr("laptop: WireGuard app, \"Import tunnel(s) from file\", {name}.conf\n"), {{"name", p.name}});
    t += indent + "  (Linux: sudo wg-quick up " + path_in(dir, p.name + ".conf") + ")\n";
  }
  t += fill(tr("3. Test from outside (a phone on mobile data, not on this Wi-Fi): switch the\n"
               "   tunnel on and open what you need by its usual LAN address, e.g. {host}.\n"
               "   A phone is lost? Delete its [Peer] section from the server's configuration\n"
               "   and restart the server.\n"),
            {{"host", s.server.lan_host}});
  return t;
}

}  // namespace bw::vpn
