// vpn setup's decisions: the request, the server's host, the LAN, the tunnel subnet, the
// endpoint, the forward (and its refusals) and the keys and addresses of the setup.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "vpn/files.hpp"
#include "vpn/setup.hpp"

namespace bw::vpn {
namespace {

SetupRequest request() {
  SetupRequest r;
  r.peers = {"doctor"};
  r.out_dir = "/tmp/nowhere";
  return r;
}

// The message of the Error `f` throws, checking its kind.
template <typename F>
std::string error_of(F f, ErrorKind kind) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

uint32_t ip(const char* text) {
  return *parse_ipv4_address(text);
}

PortForward forward(Protocol p, uint16_t port, const std::string& host, uint16_t end = 0) {
  PortForward f;
  f.protocol = p;
  f.external_port = port;
  f.external_port_end = end ? end : port;
  f.internal_host = host;
  f.internal_port = port;
  f.description = "set by someone";
  return f;
}

TEST(VpnSetup, RequestChecks) {
  EXPECT_NO_THROW(check_request(request()));
  SetupRequest r = request();
  r.peers.clear();
  EXPECT_NE(error_of([&] { check_request(r); }, ErrorKind::usage).find("--peer"), std::string::npos);
  r = request();
  r.peers = {"doctor", "doctor"};
  EXPECT_NE(error_of([&] { check_request(r); }, ErrorKind::usage).find("twice"), std::string::npos);
  r = request();
  r.peers = {"../x"};
  error_of([&] { check_request(r); }, ErrorKind::usage);
  r = request();
  r.subnet = "10.253.0.1/24";
  EXPECT_NE(error_of([&] { check_request(r); }, ErrorKind::usage).find("--subnet"), std::string::npos);
  r = request();
  r.host = "pc.local";
  EXPECT_NE(error_of([&] { check_request(r); }, ErrorKind::usage).find("--host"), std::string::npos);
  r = request();
  r.port = 0;
  error_of([&] { check_request(r); }, ErrorKind::usage);
}

TEST(VpnSetup, Host) {
  SetupRequest r = request();
  EXPECT_EQ(choose_host(r, "192.168.1.1", ip("192.168.1.10"), false), ip("192.168.1.10"));
  r.host = "192.168.1.30";
  EXPECT_EQ(choose_host(r, "192.168.1.1", ip("192.168.1.10"), false), ip("192.168.1.30"));
  // A box on the loopback (an emulator) says nothing about the LAN: --host is needed.
  r.host.clear();
  EXPECT_NE(error_of([&] { choose_host(r, "127.0.0.1", ip("127.0.0.1"), true); }, ErrorKind::usage).find("--host"),
            std::string::npos);
  r.host = "192.168.1.1";
  EXPECT_NE(error_of([&] { choose_host(r, "192.168.1.1", std::nullopt, false); }, ErrorKind::usage).find("box itself"),
            std::string::npos);
  r.host = "127.0.0.1";
  error_of([&] { choose_host(r, "192.168.1.1", std::nullopt, false); }, ErrorKind::usage);
}

VpnServer wireguard(bool on) {
  VpnServer v;
  v.enabled = on;
  v.type = "wireguard";
  v.port = 18964;
  v.min_port = 16384;
  v.max_port = 32767;
  v.peers = {"old"};
  return v;
}

TEST(VpnSetup, TheBoxOwnServerIsTheDefaultWhereThereIsOne) {
  SetupRequest r;
  r.peers = {"doctor"};
  RouterState plain, freebox;
  freebox.vpn_server = wireguard(false);
  Capabilities can = static_cast<Capabilities>(Capability::vpn_server);
  EXPECT_EQ(server_choice(can, freebox, "auto", r), ServerSide::box);
  EXPECT_EQ(server_choice(can, plain, "auto", r), ServerSide::lan_host);  // not read: not assumed
  EXPECT_EQ(server_choice(0, freebox, "auto", r), ServerSide::lan_host);
  EXPECT_EQ(server_choice(can, freebox, "lan", r), ServerSide::lan_host);
  error_of([&] { server_choice(0, plain, "box", r); }, ErrorKind::usage);
  error_of([&] { server_choice(can, freebox, "elsewhere", r); }, ErrorKind::usage);
  r.host = "192.168.1.10";  // a LAN computer named: the LAN side
  EXPECT_EQ(server_choice(can, freebox, "auto", r), ServerSide::lan_host);
  error_of([&] { server_choice(can, freebox, "box", r); }, ErrorKind::usage);
}

TEST(VpnSetup, BoxServerPlanStartsItAndAddsOneUserPerPeer) {
  SetupRequest r;
  r.peers = {"doctor", "nurse"};
  r.port = 25000;
  VpnServer off = wireguard(false);
  auto plan = box_server_plan(r, off, true);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].kind, ChangeKind::enable_vpn_server);
  EXPECT_EQ(plan[0].vpn->port, 25000);
  EXPECT_EQ(plan[1].kind, ChangeKind::add_vpn_peer);
  EXPECT_EQ(plan[2].peer, "nurse");
  EXPECT_EQ(inverse(plan[1]).kind, ChangeKind::delete_vpn_peer);  // what rollback sends
  EXPECT_EQ(box_server_plan(r, off, false)[0].vpn->port, 18964);   // the box's own port kept
  r.port = 51820;  // outside what the box accepts: refused before anything changes
  error_of([&] { box_server_plan(r, off, true); }, ErrorKind::usage);
  r.port = 25000;
  VpnServer on = wireguard(true);
  EXPECT_EQ(box_server_plan(r, on, false).size(), 2u);
  error_of([&] { box_server_plan(r, on, true); }, ErrorKind::usage);  // runs on another port
  r.peers = {"old"};
  error_of([&] { box_server_plan(r, on, false); }, ErrorKind::usage);  // the name is taken
  // A backup holds the plan: the peer and the server survive the round trip.
  Action back = action_from_json(to_json(plan[0]));
  EXPECT_EQ(back.vpn->port, 25000);
  EXPECT_EQ(action_from_json(to_json(plan[2])).peer, "nurse");
}

TEST(VpnSetup, Lan) {
  std::vector<LocalAddress> local = {{ip("127.0.0.1"), *parse_cidr("127.0.0.0/8")},
                                     {ip("192.168.1.10"), *parse_cidr("192.168.0.0/23")}};
  EXPECT_EQ(lan_of(ip("192.168.1.10"), local).to_string(), "192.168.0.0/23");
  EXPECT_EQ(lan_of(ip("192.168.5.7"), local).to_string(), "192.168.5.0/24");
}

TEST(VpnSetup, Subnet) {
  Ipv4Net lan = *parse_cidr("192.168.1.0/24");
  SetupRequest r = request();
  Ipv4Net chosen = choose_subnet(r, lan, {*parse_cidr("127.0.0.0/8")});
  EXPECT_FALSE(chosen.overlaps(lan));
  EXPECT_EQ(chosen.to_string(), "10.253.0.0/24");
  r.subnet = "192.168.1.0/25";
  std::string e = error_of([&] { choose_subnet(r, lan, {}); }, ErrorKind::usage);
  EXPECT_NE(e.find("overlaps the LAN 192.168.1.0/24"), std::string::npos) << e;
  r.subnet = "10.9.0.0/24";
  EXPECT_EQ(choose_subnet(r, lan, {}).to_string(), "10.9.0.0/24");
  r.subnet = "10.9.0.0/30";
  r.peers = {"a", "b", "c"};
  error_of([&] { choose_subnet(r, lan, {}); }, ErrorKind::usage);
}

TEST(VpnSetup, Endpoint) {
  SetupRequest r = request();
  RouterState s;
  std::string warning;
  EXPECT_EQ(error_of([&] { choose_endpoint(r, s, warning); }, ErrorKind::unreachable).find("--endpoint") !=
                std::string::npos,
            true);
  s.external_ip = "11.22.33.44";
  EXPECT_EQ(choose_endpoint(r, s, warning), "11.22.33.44");
  EXPECT_EQ(warning, "");
  s.external_ip = "100.64.12.1";  // carrier-grade NAT
  EXPECT_EQ(choose_endpoint(r, s, warning), "100.64.12.1");
  EXPECT_NE(warning.find("not a public address"), std::string::npos);
  r.endpoint = "practice.example.org";
  EXPECT_EQ(choose_endpoint(r, s, warning), "practice.example.org");
}

TEST(VpnSetup, ForwardConflicts) {
  PortForward wanted = wireguard_forward("192.168.1.10", 51820);
  EXPECT_EQ(wanted.protocol, Protocol::udp);
  EXPECT_EQ(wanted.description, "boxwarden WireGuard");
  RouterState s;
  EXPECT_EQ(check_forward(s, wanted), ForwardStatus::missing);
  s.port_forwards = {forward(Protocol::tcp, 51820, "192.168.1.30"), forward(Protocol::udp, 51821, "192.168.1.30")};
  EXPECT_EQ(check_forward(s, wanted), ForwardStatus::missing);  // TCP and other ports do not matter
  s.port_forwards.push_back(forward(Protocol::udp, 51820, "192.168.1.10"));
  EXPECT_EQ(check_forward(s, wanted), ForwardStatus::already_there);
  s.port_forwards.back().internal_host = "192.168.1.30";
  std::string e = error_of([&] { check_forward(s, wanted); }, ErrorKind::usage);
  EXPECT_NE(e.find("already forwarded"), std::string::npos) << e;
  EXPECT_NE(e.find("192.168.1.30"), std::string::npos) << e;
  EXPECT_NE(e.find("--port"), std::string::npos) << e;
  s.port_forwards = {forward(Protocol::udp, 50000, "192.168.1.10", 60000)};
  error_of([&] { check_forward(s, wanted); }, ErrorKind::usage);
  // Hostile descriptions are made printable.
  s.port_forwards = {forward(Protocol::udp, 51820, "192.168.1.30")};
  s.port_forwards[0].description = "evil\033[2J";
  EXPECT_EQ(error_of([&] { check_forward(s, wanted); }, ErrorKind::usage).find('\033'), std::string::npos);
}

TEST(VpnSetup, ForwardPlan) {
  PortForward wanted = wireguard_forward("192.168.1.10", 51820);
  auto caps = static_cast<Capabilities>(Capability::read_mappings) | static_cast<Capabilities>(Capability::delete_forward);
  std::string e = error_of([&] { forward_plan(wanted, ForwardStatus::missing, caps); }, ErrorKind::unsupported);
  EXPECT_NE(e.find("no plugin can add a port forward"), std::string::npos) << e;
  caps |= static_cast<Capabilities>(Capability::add_forward);
  auto plan = forward_plan(wanted, ForwardStatus::missing, caps);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].kind, ChangeKind::add_port_forward);
  EXPECT_TRUE(plan[0].automatic);
  EXPECT_TRUE(plan[0].reversible);
  EXPECT_EQ(plan[0].target.forward->key(), "UDP/51820");
  EXPECT_EQ(inverse(plan[0]).kind, ChangeKind::delete_port_forward);  // what rollback applies
  EXPECT_TRUE(forward_plan(wanted, ForwardStatus::already_there, 0).empty());
}

TEST(VpnSetup, BuildSetup) {
  SetupRequest r = request();
  r.peers = {"doctor", "nurse"};
  r.preshared_keys = true;
  WgSetup s = build_setup(r, *parse_cidr("10.253.0.0/24"), *parse_cidr("192.168.1.0/24"), ip("192.168.1.10"),
                          "11.22.33.44");
  EXPECT_EQ(format_ipv4(s.server.tunnel_address), "10.253.0.1");
  ASSERT_EQ(s.peers.size(), 2u);
  EXPECT_EQ(format_ipv4(s.peers[0].tunnel_address), "10.253.0.2");
  EXPECT_EQ(format_ipv4(s.peers[1].tunnel_address), "10.253.0.3");
  EXPECT_EQ(s.server.lan_host, "192.168.1.10");
  EXPECT_TRUE(s.peers[1].preshared_key);
  EXPECT_NE(s.peers[0].keys.public_key, s.peers[1].keys.public_key);
  EXPECT_EQ(public_key_of(s.server.keys.private_key), s.server.keys.public_key);
}

TEST(VpnSetup, PlannedFiles) {
  auto paths = planned_paths("/tmp/vpn", {"doctor", "nurse"});
  std::vector<std::string> want = {"/tmp/vpn/server.conf", "/tmp/vpn/doctor.conf", "/tmp/vpn/doctor.png",
                                   "/tmp/vpn/nurse.conf", "/tmp/vpn/nurse.png"};
  EXPECT_EQ(paths, want);
  want.erase(want.begin());  // the box is the server: no server.conf
  EXPECT_EQ(planned_paths("/tmp/vpn", {"doctor", "nurse"}, false), want);
}

}  // namespace
}  // namespace bw::vpn
