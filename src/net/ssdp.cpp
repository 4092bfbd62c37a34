#include "net/ssdp.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <memory>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/cutoff.hpp"
#include "core/deadline.hpp"
#include "core/error.hpp"
#include "net/gateway.hpp"

namespace bw {

namespace {

constexpr const char* k_search_targets[] = {
    "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
    "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
};

std::string msearch(const char* st) {
  return std::string("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nST: ") + st +
         "\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n\r\n";
}

std::string trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && (s[a] == ' ' || s[a] == '\t')) {
    ++a;
  }
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r')) {
    --b;
  }
  return std::string(s.substr(a, b - a));
}

// One UDP socket, closed on every path.
struct UdpSocket {
  int fd;
  UdpSocket() : fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    if (fd < 0) {
      throw Error(ErrorKind::unreachable, std::string("cannot open a UDP socket: ") + std::strerror(errno));
    }
  }
  ~UdpSocket() { close(fd); }
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
};

// Two sockets: the unicast search to the gateway goes out of one, the multicast search out of
// the other. Every LAN host sees the multicast search, hence that socket's port, and can forge
// an answer with the gateway as IP source and a LOCATION on the gateway that is not the IGD (a
// one-socket scanner took such a forged answer first, every time: tests/lab/hostile_spoof_test.sh).
// The unicast socket's port is seen only by the gateway, so its answer is taken at once; a
// gateway answer on the multicast socket is used only when the unicast search got none.
class UdpSsdpScanner : public SsdpScanner {
 public:
  SsdpResult search(const std::string& gateway, std::chrono::milliseconds wait,
                    const Deadline& deadline, Multicast multicast, const Cutoff* cutoff) override {
    SsdpResult result;
    std::vector<SsdpReply> multicast_answers;  // from the gateway, to the multicast search
    UdpSocket unicast_socket;
    std::optional<UdpSocket> multicast_socket;
    bool use_multicast = multicast == Multicast::yes && !loopback_only();
    if (use_multicast) {
      multicast_socket.emplace();
      unsigned char ttl = 2;  // UDA: stay on the LAN
      setsockopt(multicast_socket->fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
    }

    sockaddr_in gw{};
    gw.sin_family = AF_INET;
    gw.sin_port = htons(1900);
    inet_pton(AF_INET, gateway.c_str(), &gw.sin_addr);
    sockaddr_in group = gw;
    inet_pton(AF_INET, "239.255.255.250", &group.sin_addr);

    auto send_all = [&] {
      for (const char* st : k_search_targets) {
        std::string m = msearch(st);
        sendto(unicast_socket.fd, m.data(), m.size(), 0, reinterpret_cast<sockaddr*>(&gw), sizeof gw);
        if (use_multicast) {
          sendto(multicast_socket->fd, m.data(), m.size(), 0, reinterpret_cast<sockaddr*>(&group), sizeof group);
        }
      }
    };
    send_all();
    auto start = Deadline::Clock::now();
    bool resent = false;
    while (true) {
      auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Deadline::Clock::now() - start);
      auto left = std::min(wait - elapsed, deadline.remaining());
      if (cutoff != nullptr) {
        left = cutoff->limit(left);
      }
      if (left.count() <= 0 || !result.accepted.empty()) {
        break;
      }
      if (!resent && elapsed.count() >= 300) {
        send_all();  // one resend for lossy links
        resent = true;
      }
      pollfd p[2] = {{unicast_socket.fd, POLLIN, 0}, {use_multicast ? multicast_socket->fd : -1, POLLIN, 0}};
      int timeout = static_cast<int>(std::min<long>(left.count(), resent ? left.count() : 300 - elapsed.count()));
      if (cutoff != nullptr) {
        timeout = std::min(timeout, static_cast<int>(Cutoff::k_poll_slice.count()));  // sees a cutoff set meanwhile
      }
      if (poll(p, 2, std::max(timeout, 1)) <= 0) {
        continue;
      }
      for (int k = 0; k < 2; ++k) {
        if ((p[k].revents & (POLLIN | POLLERR)) == 0) {
          continue;
        }
        SsdpReply reply;
        if (!receive(p[k].fd, reply)) {
          continue;
        }
        bool from_gateway = reply.from == gateway && location_on_host(reply.location, gateway);
        auto& list = !from_gateway ? result.ignored : k == 0 ? result.accepted : multicast_answers;
        if (list.size() < 32) {
          list.push_back(std::move(reply));
        }
      }
    }
    if (result.accepted.empty()) {
      result.accepted = std::move(multicast_answers);
    }
    return result;
  }

 private:
  // One datagram from fd; false when it is not a sane SSDP answer.
  static bool receive(int fd, SsdpReply& reply) {
    char buf[1536];
    sockaddr_in from{};
    socklen_t fromlen = sizeof from;
    ssize_t n = recvfrom(fd, buf, sizeof buf, MSG_TRUNC, reinterpret_cast<sockaddr*>(&from), &fromlen);
    if (n <= 0 || static_cast<size_t>(n) > sizeof buf) {
      return false;  // an error (ICMP unreachable), empty or oversized: not a sane SSDP answer
    }
    if (!parse_ssdp_reply(std::string_view(buf, static_cast<size_t>(n)), reply)) {
      return false;
    }
    char addr[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &from.sin_addr, addr, sizeof addr);
    reply.from = addr;
    return true;
  }
};

}  // namespace

bool parse_ssdp_reply(std::string_view d, SsdpReply& out) {
  if (d.rfind("HTTP/1.1 200", 0) != 0 && d.rfind("HTTP/1.0 200", 0) != 0 &&
      d.rfind("NOTIFY ", 0) != 0) {
    return false;
  }
  size_t pos = 0;
  while (pos < d.size()) {
    size_t end = d.find('\n', pos);
    if (end == std::string_view::npos) {
      end = d.size();
    }
    std::string_view line = d.substr(pos, end - pos);
    pos = end + 1;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    std::string name(line.substr(0, colon));
    for (auto& c : name) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    std::string value = trim(line.substr(colon + 1));
    if (name == "LOCATION") {
      out.location = value;
    } else if (name == "ST" || name == "NT") {
      out.st = value;
    } else if (name == "SERVER") {
      out.server = value;
    }
  }
  return !out.location.empty() && out.location.size() <= 512;
}

bool location_on_host(const std::string& location, const std::string& host) {
  const std::string prefix = "http://" + host;
  if (location.rfind(prefix, 0) != 0) {
    return false;
  }
  std::string rest = location.substr(prefix.size());
  if (rest.empty() || rest[0] == '/') {
    return true;
  }
  if (rest[0] != ':') {
    return false;  // e.g. http://192.168.1.10 for host 192.168.1.1
  }
  size_t i = 1;
  while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) {
    ++i;
  }
  if (i == 1 || i > 6 || (i < rest.size() && rest[i] != '/')) {
    return false;
  }
  long port = std::strtol(rest.substr(1, i - 1).c_str(), nullptr, 10);
  return port >= 1 && port <= 65535;
}

std::unique_ptr<SsdpScanner> make_udp_ssdp_scanner() {
  return std::make_unique<UdpSsdpScanner>();
}

}  // namespace bw
