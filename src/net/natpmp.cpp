#include "net/natpmp.hpp"

#include <arpa/inet.h>
#include <sys/select.h>

#include <natpmp.h>

#include "core/cutoff.hpp"
#include "core/deadline.hpp"

namespace bw {

std::optional<std::string> natpmp_probe(const std::string& gateway, std::chrono::milliseconds wait,
                                        const Deadline& deadline, const Cutoff* cutoff) {
  in_addr gw{};
  if (inet_pton(AF_INET, gateway.c_str(), &gw) != 1) {
    return std::nullopt;
  }
  natpmp_t n;
  if (initnatpmp(&n, 1, gw.s_addr) < 0) {
    return std::nullopt;
  }
  std::optional<std::string> result;
  auto end = Deadline::Clock::now() + deadline.slice(wait);
  if (sendpublicaddressrequest(&n) >= 0) {
    natpmpresp_t resp;
    while (Deadline::Clock::now() < end && !(cutoff != nullptr && cutoff->passed())) {
      auto left = std::chrono::duration_cast<std::chrono::microseconds>(end - Deadline::Clock::now());
      if (cutoff != nullptr) {
        left = std::min<std::chrono::microseconds>(left, Cutoff::k_poll_slice);  // sees a cutoff set meanwhile
      }
      timeval tv{static_cast<time_t>(left.count() / 1000000), static_cast<suseconds_t>(left.count() % 1000000)};
      timeval retry{};
      if (getnatpmprequesttimeout(&n, &retry) == 0 && timercmp(&retry, &tv, <)) {
        tv = retry;
      }
      fd_set fds;
      FD_ZERO(&fds);
      if (n.s < 0 || n.s >= FD_SETSIZE) {
        break;
      }
      FD_SET(n.s, &fds);
      select(n.s + 1, &fds, nullptr, nullptr, &tv);
      int r = readnatpmpresponseorretry(&n, &resp);
      if (r == NATPMP_TRYAGAIN) {
        continue;
      }
      if (r >= 0 && resp.type == NATPMP_RESPTYPE_PUBLICADDRESS) {
        char buf[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &resp.pnu.publicaddress.addr, buf, sizeof buf);
        result = buf;
      }
      break;  // an answer or a definite error (e.g. ICMP port unreachable)
    }
  }
  closenatpmp(&n);
  return result;
}

}  // namespace bw
