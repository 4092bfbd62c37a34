// A clock for Deadline that only moves when the test says so: deadlines are tested at exact
// instants and run out without sleeping.
#pragma once

#include <atomic>
#include <chrono>

#include "core/deadline.hpp"

namespace bw::test {

class ManualClock : public Deadline::TimeSource {
 public:
  using ms = std::chrono::milliseconds;

  // Atomic: discovery reads the time from its probe threads while a fake moves it.
  Deadline::Clock::time_point now() const override {
    return at(m_now.fetch_add(Deadline::Clock::duration(m_tick.load()).count()));
  }
  void advance(Deadline::Clock::duration d) { m_now.fetch_add(d.count()); }
  // Every reading moves the clock on by `d` after it (each look at the time "costs" d): for
  // code that polls a Deadline in a loop and sleeps in between with no hook for the test.
  void tick_on_read(ms d) { m_tick = d; }
  // Time since the clock was made, readings' ticks included.
  ms elapsed() const { return std::chrono::duration_cast<ms>(at(m_now.load()) - k_start); }

 private:
  // Any fixed instant: nothing may depend on the clock's epoch.
  static constexpr Deadline::Clock::time_point k_start{std::chrono::hours(1000)};
  static Deadline::Clock::time_point at(Deadline::Clock::rep r) {
    return Deadline::Clock::time_point(Deadline::Clock::duration(r));
  }
  mutable std::atomic<Deadline::Clock::rep> m_now{k_start.time_since_epoch().count()};
  std::atomic<ms> m_tick{ms(0)};
};

}  // namespace bw::test
