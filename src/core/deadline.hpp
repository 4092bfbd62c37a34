// The overall deadline of one run (--timeout). Every network call takes what is left.
#pragma once

#include <chrono>

namespace bw {

class Deadline {
 public:
  // The real clock. Code that waits on a socket measures that wait with it (net/ssdp.cpp,
  // net/natpmp.cpp); what is left of the run always comes from the Deadline's own time source.
  using Clock = std::chrono::steady_clock;

  // Where a Deadline reads the time: steady_clock in the product. A test passes a clock it
  // moves by hand (tests/fakes/manual_clock.hpp), so that remaining(), slice() and expired()
  // are checked at exact instants and a deadline runs out without anyone sleeping.
  class TimeSource {
   public:
    virtual ~TimeSource() = default;
    virtual Clock::time_point now() const = 0;
  };

  explicit Deadline(std::chrono::milliseconds budget) : Deadline(budget, steady()) {}
  // `time` must outlive the Deadline.
  Deadline(std::chrono::milliseconds budget, const TimeSource& time)
      : m_time(&time), m_end(time.now() + budget) {}

  std::chrono::milliseconds remaining() const {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(m_end - m_time->now());
    return left.count() > 0 ? left : std::chrono::milliseconds(0);
  }
  bool expired() const { return remaining().count() == 0; }
  // At most `cap`, never more than what is left.
  std::chrono::milliseconds slice(std::chrono::milliseconds cap) const {
    auto left = remaining();
    return left < cap ? left : cap;
  }
  // What one request to a box may take: at most `cap` and at most half of what is left, so
  // that a box that stops answering in the middle of a fix leaves time to undo what was done
  // and check it (tests/lab/igd_faults_test.sh: a hung DeletePortMapping once took the whole
  // deadline, leaving the box half-changed).
  std::chrono::milliseconds call_budget(std::chrono::milliseconds cap) const {
    auto half = remaining() / 2;
    return half < cap ? half : cap;
  }

 private:
  class SteadyTime : public TimeSource {
   public:
    Clock::time_point now() const override { return Clock::now(); }
  };
  static const TimeSource& steady() {
    static const SteadyTime s;
    return s;
  }

  const TimeSource* m_time;
  Clock::time_point m_end;
};

}  // namespace bw
