// A signal (SIGINT, SIGTERM, SIGHUP) while the executor changes the box: no new change, what
// was done is undone and checked, the outcome is `interrupted`; a second signal never cuts the
// undo short; a wait for a rebooting box ends at once. The fake box raises the real signal
// from inside a step, so the real handlers (core/interrupt.cpp) run.
#include <gtest/gtest.h>

#include <csignal>

#include "core/deadline.hpp"
#include "core/interrupt.hpp"
#include "net/http_client.hpp"
#include "plan/executor.hpp"
#include "plan/planner.hpp"
#include "tests/fakes/fake_box_test.hpp"
#include "tests/fakes/fake_router.hpp"

namespace bw {
namespace {

using test::FakePlugin;
using test::FakeRouter;
using test::forward;

class ExecutorInterruptTest : public test::FakeBoxTest {
 protected:
  void SetUp() override {
    use({forward(Protocol::tcp, 11112, "192.168.1.10", "PACS"), forward(Protocol::tcp, 3389, "192.168.1.10", "RDP"),
         forward(Protocol::tcp, 445, "192.168.1.10", "SMB")});
  }

  // The forwards as "PORT HOST", in order: what the box holds.
  static std::string forwards_of(const RouterState& s) {
    std::string out;
    for (const auto& f : s.port_forwards) {
      out += std::to_string(f.external_port) + " " + f.internal_host + ";";
    }
    return out;
  }
  static std::string sorted_forwards(RouterState s) {
    std::sort(s.port_forwards.begin(), s.port_forwards.end(),
              [](const PortForward& a, const PortForward& b) { return a.external_port < b.external_port; });
    return forwards_of(s);
  }

  std::vector<std::string> said;
  Progress progress = [this](const std::string& s) { said.push_back(s); };
};

TEST_F(ExecutorInterruptTest, ASignalDuringAStepStopsTheFixAndUndoesIt) {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    for (int step = 0; step < 3; ++step) {
      SCOPED_TRACE(std::string(interrupt::signal_name(sig)) + " in step " + std::to_string(step));
      router.state = original;
      router.apply_calls = 0;
      router.on_apply = [&](int n) {
        if (n == step) {
          raise(sig);  // the step itself completes: the box did it
        }
      };
      interrupt::ChangeScope changing;
      Box box(found, ctx);
      auto r = execute(box, plan(), progress);
      EXPECT_EQ(r.outcome, Outcome::interrupted) << r.failure;
      EXPECT_EQ(r.failure, std::string("interrupted by ") + interrupt::signal_name(sig));
      EXPECT_EQ(interrupt::signal_number(), sig);
      // No step after the interrupted one was started; each done was undone once.
      EXPECT_EQ(router.apply_calls, 2 * (step + 1));
      EXPECT_EQ(sorted_forwards(router.state), sorted_forwards(original));
      ASSERT_TRUE(r.after_known);
      EXPECT_EQ(sorted_forwards(r.after), sorted_forwards(original));
    }
  }
}

TEST_F(ExecutorInterruptTest, ASecondSignalDoesNotCutTheUndoShort) {
  router.on_apply = [&](int n) {
    if (n == 1 || n == 2 || n == 3) {
      raise(n == 1 ? SIGINT : SIGTERM);  // the first stops the fix; the others hit the undo
    }
  };
  interrupt::ChangeScope changing;
  Box box(found, ctx);
  auto r = execute(box, plan(), progress);
  EXPECT_EQ(r.outcome, Outcome::interrupted) << r.failure;
  EXPECT_EQ(interrupt::signal_number(), SIGINT);
  EXPECT_EQ(router.apply_calls, 4);  // two deletes, two re-adds: the undo went to its end
  EXPECT_EQ(sorted_forwards(router.state), sorted_forwards(original));
}

TEST_F(ExecutorInterruptTest, AnInterruptedUndoFailureIsRollbackFailed) {
  router.on_apply = [&](int n) {
    if (n == 0) {
      raise(SIGINT);
    }
  };
  router.fail_reads_from = 0;  // the box stops answering: the undo cannot be checked
  interrupt::ChangeScope changing;
  Box box(found, ctx);
  auto r = execute(box, plan(), progress);
  EXPECT_EQ(r.outcome, Outcome::rollback_failed);
}

TEST_F(ExecutorInterruptTest, ASignalBeforeTheFirstStepChangesNothing) {
  interrupt::ChangeScope changing;
  raise(SIGHUP);  // e.g. while the backup was written
  Box box(found, ctx);
  auto r = execute(box, plan(), progress);
  EXPECT_EQ(r.outcome, Outcome::interrupted);
  EXPECT_EQ(router.apply_calls, 0);
  EXPECT_EQ(forwards_of(router.state), forwards_of(original));
}

TEST_F(ExecutorInterruptTest, AnInterruptedRollbackTakesBackWhatItRestored) {
  auto p = plan();
  {
    Box box(found, ctx);
    ASSERT_EQ(execute(box, p, progress).outcome, Outcome::applied);
  }
  RouterState fixed = router.state;
  ASSERT_TRUE(fixed.port_forwards.empty());
  int first = router.apply_calls;
  router.on_apply = [&](int n) {
    if (n == first + 1) {
      raise(SIGTERM);  // the second restoring step
    }
  };
  interrupt::ChangeScope changing;
  Box box(found, ctx);
  auto r = restore(box, p, progress);
  EXPECT_EQ(r.outcome, Outcome::interrupted) << r.failure;
  EXPECT_EQ(router.apply_calls - first, 4);  // two restored, two taken back, the third never sent
  EXPECT_EQ(forwards_of(router.state), forwards_of(fixed));
}

TEST_F(ExecutorInterruptTest, ASignalEndsTheWaitForARebootingBoxAtOnce) {
  auto p = plan();
  {
    Box box(found, ctx);
    ASSERT_EQ(execute(box, p, progress).outcome, Outcome::applied);
  }
  int first = router.apply_calls;
  router.reboot_at_apply = first + 1;  // the second restoring step finds the box down...
  router.down_for_calls = 0;           // ...for that call only
  router.on_apply = [&](int n) {
    if (n == first + 1) {
      raise(SIGINT);
    }
  };
  interrupt::ChangeScope changing;
  Box box(found, ctx);
  Deadline patient{std::chrono::seconds(60)};
  auto t0 = std::chrono::steady_clock::now();
  auto r = restore(box, p, progress, Patience{&patient, std::chrono::seconds(20)});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5)) << "waited for the box after the signal";
  EXPECT_EQ(r.outcome, Outcome::interrupted) << r.failure;
  EXPECT_TRUE(router.state.port_forwards.empty());  // as before the rollback
}

TEST_F(ExecutorInterruptTest, WithoutASignalNothingChanges) {
  interrupt::ChangeScope changing;
  Box box(found, ctx);
  auto r = execute(box, plan(), progress);
  EXPECT_EQ(r.outcome, Outcome::applied);
  EXPECT_EQ(interrupt::signal_number(), 0);
  EXPECT_TRUE(router.state.port_forwards.empty());
}

TEST_F(ExecutorInterruptTest, ASignalAfterTheChangeOnlyFinishesTheReport) {
  {
    interrupt::ChangeScope changing;
  }
  raise(SIGINT);  // answered on stderr; the process goes on
  SUCCEED();
}

}  // namespace
}  // namespace bw
