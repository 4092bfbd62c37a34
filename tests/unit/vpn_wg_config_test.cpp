// wg-quick configuration text: what the server and each client get, keys hidden on request,
// and `wg-quick strip` accepting the files when it can run here.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "tests/unit/skip_or_fail.hpp"
#include "vpn/wg_config.hpp"

namespace bw::vpn {
namespace {

WgSetup sample(bool psk) {
  WgSetup s;
  s.tunnel = *parse_cidr("10.253.0.0/24");
  s.lan = *parse_cidr("192.168.1.0/24");
  s.endpoint_host = "11.22.33.44";
  s.endpoint_port = 51820;
  s.server.keys = generate_key_pair();
  s.server.tunnel_address = s.tunnel.host(1);
  s.server.listen_port = 51820;
  s.server.lan_host = "192.168.1.10";
  for (const char* name : {"doctor", "nurse"}) {
    WgPeer p;
    p.name = name;
    p.keys = generate_key_pair();
    if (psk) {
      p.preshared_key = generate_preshared_key();
    }
    p.tunnel_address = s.tunnel.host(uint32_t(2 + s.peers.size()));
    s.peers.push_back(p);
  }
  return s;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(VpnWgConfig, ServerConfig) {
  WgSetup s = sample(true);
  std::string t = server_config(s, Keys::reveal);
  EXPECT_TRUE(has_line(t, "[Interface]"));
  EXPECT_TRUE(has_line(t, "Address = 10.253.0.1/24"));
  EXPECT_TRUE(has_line(t, "ListenPort = 51820"));
  EXPECT_TRUE(has_line(t, "PrivateKey = " + s.server.keys.private_key.reveal()));
  EXPECT_TRUE(has_line(t, "PublicKey = " + s.peers[0].keys.public_key));
  EXPECT_TRUE(has_line(t, "PresharedKey = " + s.peers[0].preshared_key->reveal()));
  EXPECT_TRUE(has_line(t, "AllowedIPs = 10.253.0.2/32"));
  EXPECT_TRUE(has_line(t, "AllowedIPs = 10.253.0.3/32"));
  // No active hook: every WireGuard app imports it as it is.
  EXPECT_EQ(t.find("\nPostUp"), std::string::npos);
  EXPECT_EQ(t.find("\nPostDown"), std::string::npos);
  // Never the peers' private keys.
  EXPECT_EQ(t.find(s.peers[0].keys.private_key.reveal()), std::string::npos);
}

TEST(VpnWgConfig, ClientConfig) {
  WgSetup s = sample(false);
  std::string t = client_config(s, s.peers[1], Keys::reveal);
  EXPECT_TRUE(has_line(t, "PrivateKey = " + s.peers[1].keys.private_key.reveal()));
  EXPECT_TRUE(has_line(t, "Address = 10.253.0.3/32"));
  EXPECT_TRUE(has_line(t, "PublicKey = " + s.server.keys.public_key));
  EXPECT_TRUE(has_line(t, "Endpoint = 11.22.33.44:51820"));
  EXPECT_TRUE(has_line(t, "AllowedIPs = 10.253.0.0/24, 192.168.1.0/24"));
  EXPECT_TRUE(has_line(t, "PersistentKeepalive = 25"));
  EXPECT_EQ(t.find("PresharedKey"), std::string::npos);
  EXPECT_EQ(t.find(s.server.keys.private_key.reveal()), std::string::npos);
  EXPECT_LT(t.size(), 400u);  // stays a QR code a phone reads easily
}

TEST(VpnWgConfig, HiddenKeys) {
  WgSetup s = sample(true);
  for (const std::string& t : {server_config(s, Keys::hide), client_config(s, s.peers[0], Keys::hide)}) {
    EXPECT_EQ(t.find(s.server.keys.private_key.reveal()), std::string::npos);
    EXPECT_EQ(t.find(s.peers[0].keys.private_key.reveal()), std::string::npos);
    EXPECT_EQ(t.find(s.peers[0].preshared_key->reveal()), std::string::npos);
    EXPECT_NE(t.find("(hidden)"), std::string::npos);
  }
}

TEST(VpnWgConfig, Endpoint) {
  EXPECT_EQ(endpoint_text("11.22.33.44", 51820), "11.22.33.44:51820");
  EXPECT_EQ(endpoint_text("vpn.example.org", 443), "vpn.example.org:443");
  EXPECT_EQ(endpoint_text("2001:db8::1", 51820), "[2001:db8::1]:51820");
}

TEST(VpnWgConfig, PeerNames) {
  EXPECT_EQ(peer_name_problem("doctor"), "");
  EXPECT_EQ(peer_name_problem("dr-martin_tel.2"), "");
  EXPECT_NE(peer_name_problem(""), "");
  EXPECT_NE(peer_name_problem("../etc/passwd"), "");
  EXPECT_NE(peer_name_problem("a/b"), "");
  EXPECT_NE(peer_name_problem(".hidden"), "");
  EXPECT_NE(peer_name_problem("-rf"), "");
  EXPECT_NE(peer_name_problem("server"), "");
  EXPECT_NE(peer_name_problem("with space"), "");
  EXPECT_EQ(peer_name_problem(std::string(15, 'a')), "");
  EXPECT_NE(peer_name_problem(std::string(16, 'a')), "");
}

// wg-quick strip (wireguard-tools) reads the file as wg-quick would; it needs root.
TEST(VpnWgConfig, WgQuickStripAcceptsTheFiles) {
  if (geteuid() != 0 || std::system("command -v wg-quick >/dev/null 2>&1") != 0) {
    BW_SKIP_OR_FAIL_IN_CI("needs root and wg-quick (wireguard-tools)");
  }
  WgSetup s = sample(true);
  auto dir = std::filesystem::temp_directory_path() / ("bw_vpn_strip_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
  for (const auto& [name, text] : {std::pair<std::string, std::string>{"wgs0.conf", server_config(s, Keys::reveal)},
                                   {"wgc0.conf", client_config(s, s.peers[0], Keys::reveal)}}) {
    auto path = dir / name;
    std::ofstream(path) << text;
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    std::string cmd = "wg-quick strip " + path.string() + " 2>&1";
    std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
    std::string out;
    char buf[512];
    while (fgets(buf, sizeof buf, p.get()) != nullptr) {
      out += buf;
    }
    int rc = pclose(p.release());
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(out.find("Address"), std::string::npos) << out;  // wg-quick-only keys are gone
    EXPECT_NE(out.find("PrivateKey"), std::string::npos) << out;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bw::vpn
