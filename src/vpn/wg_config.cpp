#include "vpn/wg_config.hpp"

namespace bw::vpn {

namespace {

std::string key_text(const Secret& key, Keys keys) {
  return keys == Keys::reveal ? key.reveal() : std::string("(hidden)");
}

}  // namespace

std::string endpoint_text(const std::string& host, uint16_t port) {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string peer_name_problem(const std::string& name) {
  if (name.empty() || name.size() > 15) {
    return "a peer name has 1 to 15 characters (wg-quick names the interface after the file)";
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-' || c == '.';
    if (!ok) {
      return "a peer name uses only letters, digits, '_', '-' and '.' (it names a file)";
    }
  }
  if (name[0] == '.' || name[0] == '-') {
    return "a peer name cannot start with '.' or '-'";
  }
  if (name == "server") {
    return "'server' is the name of the server's own file; choose another peer name";
  }
  return "";
}

std::string server_config(const WgSetup& s, Keys keys) {
  std::string lan = s.lan.to_string();
  std::string tunnel = s.tunnel.to_string();
  std::string t;
  t += "# WireGuard server made by boxwarden: remote access to the LAN " + lan + ".\n";
  t += "# It runs on " + s.server.lan_host + "; the box forwards UDP port " + std::to_string(s.endpoint_port) +
       " to it.\n";
  t += "# Keep this file secret: it holds the server's private key.\n";
  t += "[Interface]\n";
  t += "Address = " + format_ipv4(s.server.tunnel_address) + "/" + std::to_string(s.tunnel.prefix) + "\n";
  t += "ListenPort = " + std::to_string(s.server.listen_port) + "\n";
  t += "PrivateKey = " + key_text(s.server.keys.private_key, keys) + "\n";
  t += "# Peers reach this computer as it is. To let them reach the other devices of the LAN\n";
  t += "# too (Linux with wg-quick and iptables), remove the '# ' before the next two lines.\n";
  std::string rules = "-s " + tunnel + " -d " + lan + " -j MASQUERADE";
  t += "# PostUp = sysctl -q -w net.ipv4.ip_forward=1; iptables -A FORWARD -i %i -d " + lan +
       " -j ACCEPT; iptables -A FORWARD -o %i -s " + lan + " -j ACCEPT; iptables -t nat -A POSTROUTING " + rules +
       "\n";
  t += "# PostDown = iptables -D FORWARD -i %i -d " + lan + " -j ACCEPT; iptables -D FORWARD -o %i -s " + lan +
       " -j ACCEPT; iptables -t nat -D POSTROUTING " + rules + "\n";
  for (const auto& p : s.peers) {
    t += "\n[Peer]\n";
    t += "# " + p.name + "\n";
    t += "PublicKey = " + p.keys.public_key + "\n";
    if (p.preshared_key) {
      t += "PresharedKey = " + key_text(*p.preshared_key, keys) + "\n";
    }
    t += "AllowedIPs = " + format_ipv4(p.tunnel_address) + "/32\n";
  }
  return t;
}

std::string client_config(const WgSetup& s, const WgPeer& p, Keys keys) {
  // Short on purpose: the whole text goes into a QR code a phone must read.
  std::string t;
  t += "# " + p.name + ": boxwarden VPN to " + s.lan.to_string() + "\n";
  t += "[Interface]\n";
  t += "PrivateKey = " + key_text(p.keys.private_key, keys) + "\n";
  t += "Address = " + format_ipv4(p.tunnel_address) + "/32\n";
  t += "\n[Peer]\n";
  t += "PublicKey = " + s.server.keys.public_key + "\n";
  if (p.preshared_key) {
    t += "PresharedKey = " + key_text(*p.preshared_key, keys) + "\n";
  }
  t += "Endpoint = " + endpoint_text(s.endpoint_host, s.endpoint_port) + "\n";
  t += "AllowedIPs = " + s.tunnel.to_string() + ", " + s.lan.to_string() + "\n";
  t += "PersistentKeepalive = " + std::to_string(k_keepalive_seconds) + "\n";
  return t;
}

}  // namespace bw::vpn
