#include "vpn/setup.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"

namespace bw::vpn {

namespace {

[[noreturn]] void usage(const std::string& message) {
  throw Error(ErrorKind::usage, message);
}

bool is_public(uint32_t a) {
  auto in = [a](const char* cidr) { return parse_cidr(cidr)->contains(a); };
  return !(in("10.0.0.0/8") || in("172.16.0.0/12") || in("192.168.0.0/16") || in("100.64.0.0/10") ||
           in("127.0.0.0/8") || in("169.254.0.0/16") || in("0.0.0.0/8") || in("224.0.0.0/3"));
}

std::string forward_text(const PortForward& f) {
  std::string where = f.internal_host + ":" + std::to_string(f.internal_port);
  std::string desc = f.description.empty() ? "" : " (\"" + printable(f.description, 60) + "\")";
  std::string ports = std::to_string(f.external_port);
  if (f.external_port_end > f.external_port) {
    ports += "-" + std::to_string(f.external_port_end);
  }
  return std::string(to_string(f.protocol)) + " " + ports + " -> " + printable(where, 60) + desc;
}

}  // namespace

void check_request(const SetupRequest& r) {
  if (r.peers.empty()) {
    usage("give at least one --peer NAME (one per phone or computer that will connect)");
  }
  for (size_t i = 0; i < r.peers.size(); ++i) {
    std::string problem = peer_name_problem(r.peers[i]);
    if (!problem.empty()) {
      usage("--peer '" + printable(r.peers[i], 40) + "': " + problem);
    }
    if (std::find(r.peers.begin(), r.peers.begin() + long(i), r.peers[i]) != r.peers.begin() + long(i)) {
      usage("--peer " + r.peers[i] + " is given twice; give each phone or computer its own name");
    }
  }
  if (r.peers.size() > 250) {
    usage("at most 250 peers in one setup");
  }
  if (r.port == 0) {
    usage("--port: give a UDP port between 1 and 65535 (WireGuard's usual port is 51820)");
  }
  if (!r.subnet.empty() && !parse_cidr(r.subnet)) {
    usage("--subnet: '" + printable(r.subnet, 40) + "' is not a network such as 10.253.0.0/24 (host bits zero)");
  }
  if (!r.host.empty() && !parse_ipv4_address(r.host)) {
    usage("--host: '" + printable(r.host, 40) + "' is not an IPv4 address such as 192.168.1.10");
  }
  if (r.out_dir.empty()) {
    usage("--out: give the directory where the configuration files go");
  }
}

ServerSide server_choice(Capabilities box, const RouterState& state, const std::string& wanted,
                         const SetupRequest& r) {
  bool can = has(box, Capability::vpn_server) && state.vpn_server.has_value();
  if (wanted == "lan") {
    return ServerSide::lan_host;
  }
  if (wanted == "box") {
    if (!can) {
      usage("--server box: this box has no VPN server boxwarden can set up; leave --server out to run the server "
            "on a computer of the LAN");
    }
    if (!r.host.empty()) {
      usage("--host names a LAN computer, but --server box puts the server on the box; give one of them");
    }
    return ServerSide::box;
  }
  if (wanted != "auto") {
    usage("--server: '" + printable(wanted, 20) + "' is not a choice; use auto, box or lan");
  }
  return can && r.host.empty() ? ServerSide::box : ServerSide::lan_host;
}

std::vector<Action> box_server_plan(const SetupRequest& r, const VpnServer& server, bool port_given) {
  std::vector<Action> plan;
  if (!server.enabled) {
    Action a;
    a.kind = ChangeKind::enable_vpn_server;
    a.target.kind = SubjectKind::unknown_field;
    a.target.field = "vpn_server";
    VpnServer want = server;
    want.enabled = true;
    if (port_given && server.max_port != 0 && (r.port < server.min_port || r.port > server.max_port)) {
      usage("the box's VPN server accepts a port from " + std::to_string(server.min_port) + " to " +
            std::to_string(server.max_port) + " only (the ports of its Internet address); give --port in that "
            "range, or leave it out");
    }
    if (port_given) {
      want.port = r.port;
    }
    a.vpn = want;
    std::string type = server.type.empty() ? std::string("VPN") : printable(server.type, 20);
    a.summary = want.port != 0 ? fill(tr("Start the box's own {type} server on UDP port {port}"),
                                      {{"type", type}, {"port", std::to_string(want.port)}})
                               : fill(tr("Start the box's own {type} server"), {{"type", type}});
    a.because_rule = "vpn";
    plan.push_back(a);
  } else if (port_given && server.port != 0 && server.port != r.port) {
    usage("the box's VPN server already runs on UDP port " + std::to_string(server.port) +
          "; leave --port out to keep it, or change it in the box's settings first");
  }
  for (const auto& name : r.peers) {
    if (std::find(server.peers.begin(), server.peers.end(), name) != server.peers.end()) {
      usage("the box's VPN server already has a user named " + name + "; choose another --peer name, or delete "
            "that user in the box's settings first");
    }
    Action a;
    a.kind = ChangeKind::add_vpn_peer;
    a.target.kind = SubjectKind::unknown_field;
    a.target.field = "vpn_server";
    a.peer = name;
    a.summary = fill(tr("Add {name} as a user of the box's VPN server"), {{"name", name}});
    a.because_rule = "vpn";
    plan.push_back(a);
  }
  return plan;
}

uint32_t choose_host(const SetupRequest& r, const std::string& box_address, std::optional<uint32_t> source,
                     bool loopback_box) {
  auto box = parse_ipv4_address(box_address);
  uint32_t host = 0;
  if (!r.host.empty()) {
    host = *parse_ipv4_address(r.host);
  } else if (source && !loopback_box) {
    host = *source;
  } else {
    usage("cannot tell this computer's address on the LAN; give --host with the address of the computer that will run "
          "the WireGuard server");
  }
  if (parse_cidr("127.0.0.0/8")->contains(host) || host == 0 || parse_cidr("224.0.0.0/3")->contains(host)) {
    usage("the server's address " + format_ipv4(host) + " is not a LAN address; give --host with the LAN address of "
          "the computer that will run the WireGuard server");
  }
  if (box && host == *box) {
    usage(format_ipv4(host) + " is the box itself; give --host with the address of a computer on the LAN");
  }
  return host;
}

Ipv4Net lan_of(uint32_t host, const std::vector<LocalAddress>& local) {
  for (const auto& a : local) {
    if (a.address == host && a.network.prefix >= 8 && a.network.prefix <= 30) {
      return a.network;
    }
  }
  return network_of(host, 24);
}

Ipv4Net choose_subnet(const SetupRequest& r, const Ipv4Net& lan, const std::vector<Ipv4Net>& local) {
  if (!r.subnet.empty()) {
    Ipv4Net n = *parse_cidr(r.subnet);
    std::string problem = tunnel_subnet_problem(n, lan, local);
    if (!problem.empty()) {
      usage("--subnet: " + problem + "; choose another (e.g. 10.253.0.0/24) or leave --subnet out");
    }
    if (n.host_count() < r.peers.size() + 1) {
      usage("--subnet: " + n.to_string() + " has no room for the server and " + std::to_string(r.peers.size()) +
            " peers; use a /24");
    }
    return n;
  }
  std::vector<Ipv4Net> avoid = local;
  avoid.push_back(lan);
  auto n = choose_tunnel_subnet(avoid);
  if (!n) {
    usage("every usual tunnel subnet is already used here; give one with --subnet (a /24 used nowhere on the LAN)");
  }
  return *n;
}

std::string choose_endpoint(const SetupRequest& r, const RouterState& state, std::string& warning) {
  if (!r.endpoint.empty()) {
    return r.endpoint;
  }
  auto ip = parse_ipv4_address(state.external_ip);
  if (!ip) {
    throw Error(ErrorKind::unreachable, "the box did not tell its Internet address; give --endpoint with your public "
                                        "address or a dynamic DNS name");
  }
  if (!is_public(*ip)) {
    warning = "the box's Internet address " + state.external_ip + " is not a public address (the provider's shared "
              "NAT or another router in front): phones outside cannot reach it through this forward alone";
  }
  return state.external_ip;
}

PortForward wireguard_forward(const std::string& host, uint16_t port) {
  PortForward f;
  f.protocol = Protocol::udp;
  f.external_port = port;
  f.external_port_end = port;
  f.internal_host = host;
  f.internal_port = port;
  f.description = k_forward_description;
  f.enabled = true;
  f.lease_seconds = 0;
  return f;
}

ForwardStatus check_forward(const RouterState& state, const PortForward& wanted) {
  for (const auto& f : state.port_forwards) {
    uint16_t last = std::max(f.external_port, f.external_port_end);
    if (f.protocol != Protocol::udp || wanted.external_port < f.external_port || wanted.external_port > last) {
      continue;
    }
    bool same = f.external_port == last && f.internal_host == wanted.internal_host &&
                (f.internal_port == wanted.internal_port || f.internal_port == 0) && f.enabled;
    if (same) {
      return ForwardStatus::already_there;
    }
    usage("UDP port " + std::to_string(wanted.external_port) + " is already forwarded on the box (" +
          forward_text(f) + "); choose another with --port, or remove that forward first");
  }
  return ForwardStatus::missing;
}

std::vector<Action> forward_plan(const PortForward& wanted, ForwardStatus status, Capabilities box) {
  if (status == ForwardStatus::already_there) {
    return {};
  }
  if (!has(box, Capability::add_forward)) {
    throw Error(ErrorKind::unsupported,
                "no plugin can add a port forward on this box; forward UDP port " +
                    std::to_string(wanted.external_port) + " to " + wanted.internal_host + ":" +
                    std::to_string(wanted.internal_port) + " in the box's web interface, then run this again");
  }
  Action a;
  a.kind = ChangeKind::add_port_forward;
  a.target.kind = SubjectKind::port_forward;
  a.target.forward = wanted;
  a.automatic = true;
  a.reversible = true;
  a.summary = fill(tr("Forward UDP port {port} to {host} (the WireGuard server)"),
                   {{"port", std::to_string(wanted.external_port)}, {"host", wanted.internal_host}});
  a.because_rule = "vpn";
  return {a};
}

WgSetup build_setup(const SetupRequest& r, const Ipv4Net& tunnel, const Ipv4Net& lan, uint32_t host,
                    const std::string& endpoint) {
  WgSetup s;
  s.tunnel = tunnel;
  s.lan = lan;
  s.endpoint_host = endpoint;
  s.endpoint_port = r.port;
  s.server.keys = generate_key_pair();
  s.server.tunnel_address = tunnel.host(1);
  s.server.listen_port = r.port;
  s.server.lan_host = format_ipv4(host);
  uint32_t next = 2;
  for (const auto& name : r.peers) {
    WgPeer p;
    p.name = name;
    p.keys = generate_key_pair();
    if (r.preshared_keys) {
      p.preshared_key = generate_preshared_key();
    }
    p.tunnel_address = tunnel.host(next++);
    s.peers.push_back(std::move(p));
  }
  return s;
}

}  // namespace bw::vpn
