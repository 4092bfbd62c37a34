// Sets BOXWARDEN_NETNS=@loopback for as long as it lives (then puts back what was there): the
// code under test may reach only 127.0.0.0/8 and sends no multicast, whatever the fakes do.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>

namespace bw::test {

class LoopbackOnly {
 public:
  LoopbackOnly() {
    const char* old = std::getenv("BOXWARDEN_NETNS");
    m_old = old ? std::optional<std::string>(old) : std::nullopt;
    setenv("BOXWARDEN_NETNS", "@loopback", 1);
  }
  ~LoopbackOnly() {
    if (m_old) {
      setenv("BOXWARDEN_NETNS", m_old->c_str(), 1);
    } else {
      unsetenv("BOXWARDEN_NETNS");
    }
  }
  LoopbackOnly(const LoopbackOnly&) = delete;
  LoopbackOnly& operator=(const LoopbackOnly&) = delete;

 private:
  std::optional<std::string> m_old;
};

}  // namespace bw::test
