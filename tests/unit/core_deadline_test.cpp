// Deadline at exact instants, on a clock the test moves: nothing here sleeps.
#include <chrono>

#include <gtest/gtest.h>

#include "core/deadline.hpp"
#include "tests/fakes/manual_clock.hpp"

namespace bw {
namespace {

using namespace std::chrono_literals;
using test::ManualClock;

TEST(CoreDeadline, RemainingCountsDownWithTheClockOnly) {
  ManualClock clock;
  Deadline d(1000ms, clock);
  EXPECT_EQ(d.remaining(), 1000ms);
  EXPECT_EQ(d.remaining(), 1000ms) << "reading the time must not spend it";
  clock.advance(1ms);
  EXPECT_EQ(d.remaining(), 999ms);
  clock.advance(599ms);
  EXPECT_EQ(d.remaining(), 400ms);
  EXPECT_FALSE(d.expired());
}

TEST(CoreDeadline, ExpiresExactlyAtTheEndAndStaysAtZero) {
  ManualClock clock;
  Deadline d(250ms, clock);
  clock.advance(249ms);
  EXPECT_EQ(d.remaining(), 1ms);
  EXPECT_FALSE(d.expired());
  clock.advance(1ms);
  EXPECT_EQ(d.remaining(), 0ms);
  EXPECT_TRUE(d.expired());
  clock.advance(10s);
  EXPECT_EQ(d.remaining(), 0ms) << "never negative";
  EXPECT_TRUE(d.expired());
}

TEST(CoreDeadline, LessThanAMillisecondLeftIsExpired) {
  // remaining() is in whole milliseconds, rounded down: half a millisecond carries no request.
  ManualClock clock;
  Deadline d(1ms, clock);
  clock.advance(499us);
  EXPECT_EQ(d.remaining(), 0ms);
  EXPECT_TRUE(d.expired());
  Deadline e(2ms, clock);
  clock.advance(999us);
  EXPECT_EQ(e.remaining(), 1ms);
  EXPECT_FALSE(e.expired());
}

TEST(CoreDeadline, SliceIsTheCapUntilLessIsLeft) {
  ManualClock clock;
  Deadline d(10s, clock);
  EXPECT_EQ(d.slice(3s), 3s);
  clock.advance(7s);
  EXPECT_EQ(d.slice(3s), 3s);  // exactly 3 s left
  clock.advance(1ms);
  EXPECT_EQ(d.slice(3s), 2999ms);
  EXPECT_EQ(d.slice(0ms), 0ms);
  clock.advance(2999ms);
  EXPECT_EQ(d.slice(3s), 0ms);
}

TEST(CoreDeadline, AZeroBudgetIsExpiredAtOnce) {
  ManualClock clock;
  Deadline d(0ms, clock);
  EXPECT_TRUE(d.expired());
  EXPECT_EQ(d.slice(1s), 0ms);
}

TEST(CoreDeadline, TwoDeadlinesOnOneClockRunOutIndependently) {
  // The run's deadline and a shorter one taken later (as a command might for one step).
  ManualClock clock;
  Deadline run(5s, clock);
  clock.advance(2s);
  Deadline step(1s, clock);
  clock.advance(1s);
  EXPECT_TRUE(step.expired());
  EXPECT_EQ(run.remaining(), 2s);
}

TEST(CoreDeadline, ATickingClockSpendsTimeOnEveryReading) {
  ManualClock clock;
  clock.tick_on_read(100ms);
  Deadline d(300ms, clock);  // its construction reads the clock once
  EXPECT_EQ(clock.elapsed(), 100ms);
  EXPECT_EQ(d.remaining(), 200ms);
  EXPECT_EQ(d.remaining(), 100ms);
  EXPECT_TRUE(d.expired());
}

TEST(CoreDeadline, TheDefaultClockIsTheRealOne) {
  // Without a clock the product's steady_clock is used: a fresh 1 h deadline has (almost) all of it.
  Deadline d(std::chrono::hours(1));
  EXPECT_GT(d.remaining(), std::chrono::minutes(59));
  EXPECT_LE(d.remaining(), std::chrono::hours(1));
  EXPECT_FALSE(d.expired());
}

}  // namespace
}  // namespace bw
