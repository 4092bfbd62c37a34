// A clock for Deadline that only moves when the test says so: deadlines are tested at exact
// instants and run out without sleeping.
#pragma once

#include <chrono>

#include "core/deadline.hpp"

namespace bw::test {

class ManualClock : public Deadline::TimeSource {
 public:
  using ms = std::chrono::milliseconds;

  Deadline::Clock::time_point now() const override {
    auto t = m_now;
    m_now += m_tick;
    return t;
  }
  void advance(Deadline::Clock::duration d) { m_now += d; }
  // Every reading moves the clock on by `d` after it (each look at the time "costs" d): for
  // code that polls a Deadline in a loop and sleeps in between with no hook for the test.
  void tick_on_read(ms d) { m_tick = d; }
  // Time since the clock was made, readings' ticks included.
  ms elapsed() const { return std::chrono::duration_cast<ms>(m_now - k_start); }

 private:
  // Any fixed instant: nothing may depend on the clock's epoch.
  static constexpr Deadline::Clock::time_point k_start{std::chrono::hours(1000)};
  mutable Deadline::Clock::time_point m_now = k_start;
  ms m_tick{0};
};

}  // namespace bw::test
