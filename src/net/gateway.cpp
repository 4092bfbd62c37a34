#include "net/gateway.hpp"

#include <arpa/inet.h>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "core/error.hpp"

namespace bw {

std::optional<std::string> default_gateway_ipv4(const std::string& route_table) {
  std::ifstream in(route_table);
  std::string line;
  std::getline(in, line);  // header
  std::optional<std::string> best;
  unsigned long best_metric = ~0ul;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string iface, dest, gw, flags, refcnt, use, metric;
    if (!(fields >> iface >> dest >> gw >> flags >> refcnt >> use >> metric)) {
      continue;
    }
    unsigned long f = std::strtoul(flags.c_str(), nullptr, 16);
    if (dest != "00000000" || (f & 0x2) == 0 || (f & 0x1) == 0) {  // RTF_GATEWAY, RTF_UP
      continue;
    }
    unsigned long m = std::strtoul(metric.c_str(), nullptr, 10);
    if (m >= best_metric) {
      continue;
    }
    in_addr addr{};
    addr.s_addr = static_cast<in_addr_t>(std::strtoul(gw.c_str(), nullptr, 16));
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr, buf, sizeof buf);
    best = buf;
    best_metric = m;
  }
  return best;
}

bool is_ipv4_literal(const std::string& address) {
  in_addr a{};
  return inet_pton(AF_INET, address.c_str(), &a) == 1;
}

bool is_private_ipv4(const std::string& address) {
  in_addr a{};
  if (inet_pton(AF_INET, address.c_str(), &a) != 1) {
    return false;
  }
  uint32_t v = ntohl(a.s_addr);
  return (v >> 24) == 10 || (v >> 20) == (172u << 4 | 1) || (v >> 16) == (192u << 8 | 168);
}

HostPort parse_host_port(const std::string& text) {
  HostPort hp;
  std::string rest = text;
  if (rest.rfind("http://", 0) == 0) {
    rest = rest.substr(7);
  }
  while (!rest.empty() && rest.back() == '/') {
    rest.pop_back();
  }
  auto colon = rest.rfind(':');
  if (colon != std::string::npos) {
    std::string port = rest.substr(colon + 1);
    char* end = nullptr;
    long p = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || p < 1 || p > 65535) {
      throw Error(ErrorKind::usage, "--gateway: bad port in '" + text + "'; give HOST or HOST:PORT (1-65535)");
    }
    hp.port = static_cast<uint16_t>(p);
    rest = rest.substr(0, colon);
  }
  if (!is_ipv4_literal(rest)) {
    throw Error(ErrorKind::usage, "--gateway: '" + rest + "' is not an IPv4 address; give the box's address, e.g. 192.168.1.1");
  }
  hp.host = rest;
  return hp;
}

bool loopback_only() {
  const char* want = std::getenv("BOXWARDEN_NETNS");
  return want != nullptr && std::string(want) == "@loopback";
}

bool is_loopback_ipv4(const std::string& address) {
  return address.rfind("127.", 0) == 0 && is_ipv4_literal(address);
}

void check_network_namespace() {
  const char* want = std::getenv("BOXWARDEN_NETNS");
  if (want == nullptr || *want == '\0' || loopback_only()) {
    return;
  }
  struct stat mine {}, theirs {};
  std::string path = std::string("/run/netns/") + want;
  if (stat("/proc/self/ns/net", &mine) != 0 || stat(path.c_str(), &theirs) != 0 ||
      mine.st_ino != theirs.st_ino || mine.st_dev != theirs.st_dev) {
    throw Error(ErrorKind::unreachable, std::string("BOXWARDEN_NETNS=") + want +
                                            " but this process is not in that network namespace; refusing to touch the network");
  }
}

}  // namespace bw
