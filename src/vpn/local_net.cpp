#include "vpn/local_net.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bit>
#include <fstream>
#include <sstream>

#include "net/gateway.hpp"

namespace bw::vpn {

std::optional<uint32_t> source_address_towards(const std::string& box) {
  check_network_namespace();
  auto ip = parse_ipv4_address(box);
  if (!ip) {
    return std::nullopt;
  }
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return std::nullopt;
  }
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(9);  // any port: connect() on UDP only picks a route
  to.sin_addr.s_addr = htonl(*ip);
  sockaddr_in me{};
  socklen_t len = sizeof me;
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&me), &len) == 0;
  close(fd);
  if (!ok || me.sin_addr.s_addr == 0) {
    return std::nullopt;
  }
  return ntohl(me.sin_addr.s_addr);
}

std::vector<LocalAddress> local_addresses() {
  std::vector<LocalAddress> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) {
    return out;
  }
  for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_netmask == nullptr || i->ifa_addr->sa_family != AF_INET) {
      continue;
    }
    uint32_t addr = ntohl(reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr.s_addr);
    uint32_t mask = ntohl(reinterpret_cast<sockaddr_in*>(i->ifa_netmask)->sin_addr.s_addr);
    out.push_back({addr, network_of(addr, std::popcount(mask))});
  }
  freeifaddrs(list);
  return out;
}

std::vector<Ipv4Net> routed_networks(const std::string& route_table) {
  // Columns: Iface Destination Gateway Flags RefCnt Use Metric Mask ... (hex, network order
  // as the kernel stores it, i.e. little-endian on the machines we run on).
  std::vector<Ipv4Net> out;
  std::ifstream in(route_table);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream cols(line);
    std::string iface, dest, gw, flags, refcnt, use, metric, mask;
    if (!(cols >> iface >> dest >> gw >> flags >> refcnt >> use >> metric >> mask)) {
      continue;
    }
    try {
      uint32_t d = ntohl(static_cast<uint32_t>(std::stoul(dest, nullptr, 16)));
      uint32_t m = ntohl(static_cast<uint32_t>(std::stoul(mask, nullptr, 16)));
      int prefix = std::popcount(m);
      if (prefix > 0) {
        out.push_back(network_of(d, prefix));
      }
    } catch (const std::exception&) {
      continue;
    }
  }
  return out;
}

}  // namespace bw::vpn
