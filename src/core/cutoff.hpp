// A moment after which a background wait gives up, set later by another thread. Discovery sets
// it once the named box's own plugin has answered: the SSDP and NAT-PMP probes, which run
// beside the plugins, then wait no longer than the box itself took (issue 10: every audit of a
// named box used to wait the whole 2 s SSDP window). Until it is set there is no cutoff.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>

#include "core/deadline.hpp"

namespace bw {

class Cutoff {
 public:
  // Waits that can be cut poll in slices of at most this, so that a cutoff set while they
  // wait ends them this soon.
  static constexpr std::chrono::milliseconds k_poll_slice{20};

  void set(Deadline::Clock::time_point at) { m_at.store(at.time_since_epoch().count()); }
  bool is_set() const { return m_at.load() != k_unset; }
  bool passed() const { return is_set() && Deadline::Clock::now() >= at(); }
  // At most `wait`, less when the cutoff is nearer (0 once it has passed); a cut wait polls in
  // slices of k_poll_slice so that it sees a cutoff set meanwhile.
  std::chrono::milliseconds limit(std::chrono::milliseconds wait) const {
    if (!is_set()) {
      return wait;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at() - Deadline::Clock::now());
    return std::clamp(left, std::chrono::milliseconds(0), wait);
  }

 private:
  static constexpr Deadline::Clock::rep k_unset = std::numeric_limits<Deadline::Clock::rep>::max();
  Deadline::Clock::time_point at() const { return Deadline::Clock::time_point(Deadline::Clock::duration(m_at.load())); }
  std::atomic<Deadline::Clock::rep> m_at{k_unset};
};

}  // namespace bw
