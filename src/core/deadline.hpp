// The overall deadline of one run (--timeout). Every network call takes what is left.
#pragma once

#include <chrono>

namespace bw {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Deadline(std::chrono::milliseconds budget) : m_end(Clock::now() + budget) {}
  std::chrono::milliseconds remaining() const {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(m_end - Clock::now());
    return left.count() > 0 ? left : std::chrono::milliseconds(0);
  }
  bool expired() const { return remaining().count() == 0; }
  // At most `cap`, never more than what is left.
  std::chrono::milliseconds slice(std::chrono::milliseconds cap) const {
    auto left = remaining();
    return left < cap ? left : cap;
  }

 private:
  Clock::time_point m_end;
};

}  // namespace bw
