// Executor and rollback against an in-memory router: all-or-nothing under every fault.
#include <gtest/gtest.h>

#include "core/deadline.hpp"
#include "net/http_client.hpp"
#include "plan/executor.hpp"
#include "plan/planner.hpp"
#include "tests/fakes/fake_box_test.hpp"
#include "tests/fakes/fake_router.hpp"
#include "tests/fakes/manual_clock.hpp"

namespace bw {
namespace {

using test::FakePlugin;
using test::FakeRouter;
using test::forward;

class ExecutorTest : public test::FakeBoxTest {
 protected:
  void SetUp() override {
    use({forward(Protocol::tcp, 11112, "192.168.1.10", "PACS"), forward(Protocol::tcp, 3389, "192.168.1.10", "RDP"),
         forward(Protocol::udp, 3074, "192.168.1.20", "Xbox")},
        Dmz{true, "192.168.1.10", {}});
  }

  void expect_original() {
    ASSERT_EQ(router.state.port_forwards.size(), original.port_forwards.size());
    for (const auto& f : original.port_forwards) {
      bool found_it = std::any_of(router.state.port_forwards.begin(), router.state.port_forwards.end(),
                                  [&](const PortForward& x) { return x.same_rule(f) && x.internal_host == f.internal_host; });
      EXPECT_TRUE(found_it) << f.key();
    }
    ASSERT_TRUE(router.state.dmz);
    EXPECT_TRUE(router.state.dmz->enabled);
    EXPECT_EQ(router.state.dmz->host, "192.168.1.10");
  }

  Progress quiet = [](const std::string&) {};
};

TEST_F(ExecutorTest, PlanDeletesForwardsBeforeTheDmz) {
  auto p = plan();
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].kind, ChangeKind::delete_port_forward);
  EXPECT_EQ(p[3].kind, ChangeKind::disable_dmz);
}

TEST_F(ExecutorTest, AppliesEverythingAndVerifies) {
  Box box(found, ctx);
  auto r = execute(box, plan(), quiet);
  EXPECT_EQ(r.outcome, Outcome::applied);
  EXPECT_TRUE(router.state.port_forwards.empty());
  EXPECT_FALSE(router.state.dmz->enabled);
}

TEST_F(ExecutorTest, EachFailingStepLeavesTheOriginal) {
  for (int step = 0; step < 4; ++step) {
    for (bool after_effect : {false, true}) {
      SCOPED_TRACE("step " + std::to_string(step) + (after_effect ? " (reset after the change)" : " (refused)"));
      router.state = original;
      router.apply_calls = 0;
      router.fail_apply_at = step;
      router.fail_apply_after_effect = after_effect;
      Box box(found, ctx);
      auto p = plan();
      auto r = execute(box, p, quiet);
      EXPECT_EQ(r.outcome, Outcome::rolled_back);
      EXPECT_FALSE(r.failure.empty());
      expect_original();
    }
  }
}

// Issue 12, case 4: between the read and a delete, another machine took the port. The plugin
// refuses (conflict, nothing sent); the undo puts back what was done before and leaves what
// took the port alone: it is not "the change that may have taken effect".
TEST_F(ExecutorTest, AForwardTakenByAnotherMachineIsLeftAloneAndTheRestUndone) {
  router.repoint_at_apply = 2;  // the third change: forwards come before the DMZ
  router.repoint_to = "192.168.1.20";
  Box box(found, ctx);
  auto p = plan();
  ASSERT_GE(p.size(), 3u);
  ASSERT_TRUE(p[2].target.forward);
  PortForward taken = *p[2].target.forward;
  auto r = execute(box, p, quiet);
  EXPECT_EQ(r.outcome, Outcome::rolled_back);
  ASSERT_FALSE(r.steps.empty());
  EXPECT_TRUE(r.steps[2].untouched);
  ASSERT_TRUE(router.state.dmz);
  EXPECT_TRUE(router.state.dmz->enabled);
  for (const auto& f : original.port_forwards) {
    auto it = std::find_if(router.state.port_forwards.begin(), router.state.port_forwards.end(),
                           [&](const PortForward& x) { return x.same_rule(f); });
    ASSERT_NE(it, router.state.port_forwards.end()) << f.key();
    EXPECT_EQ(it->internal_host, f.same_rule(taken) ? "192.168.1.20" : f.internal_host) << f.key();
  }
  EXPECT_EQ(router.state.port_forwards.size(), original.port_forwards.size());
}

TEST_F(ExecutorTest, ABoxThatSaysYesButChangesNothingIsCaughtByVerification) {
  router.ignore_deletes = true;
  Box box(found, ctx);
  auto r = execute(box, plan(), quiet);
  EXPECT_EQ(r.outcome, Outcome::rolled_back);
  EXPECT_NE(r.failure.find("does not show the change"), std::string::npos);
  expect_original();
}

TEST_F(ExecutorTest, ABoxThatStopsAnsweringIsRollbackFailed) {
  router.fail_apply_at = 2;
  router.fail_reads_from = 0;  // every re-read fails: nothing can be verified
  Box box(found, ctx);
  auto r = execute(box, plan(), quiet);
  EXPECT_EQ(r.outcome, Outcome::rollback_failed);
}

TEST_F(ExecutorTest, RestoreBringsBackEverythingAndIsIdempotent) {
  auto p = plan();
  {
    Box box(found, ctx);
    ASSERT_EQ(execute(box, p, quiet).outcome, Outcome::applied);
  }
  Box box(found, ctx);
  auto r = restore(box, p, quiet);
  EXPECT_EQ(r.outcome, Outcome::applied);
  expect_original();
  auto again = restore(box, p, quiet);
  EXPECT_EQ(again.outcome, Outcome::nothing_to_do);
  expect_original();
}

TEST_F(ExecutorTest, ManualStepsAreNeverApplied) {
  auto p = make_plan({}, Severity::high, "192.168.1.1", [](const Action&) { return false; });
  Box box(found, ctx);
  EXPECT_EQ(execute(box, p, quiet).outcome, Outcome::nothing_to_do);
  EXPECT_EQ(router.apply_calls, 0);
}

}  // namespace
}  // namespace bw

namespace bw {
namespace {

TEST_F(ExecutorTest, ABoxThatRebootsMidFixIsUndoneOnceItIsBack) {
  for (int step = 0; step < 4; ++step) {
    SCOPED_TRACE(step);
    router.state = original;
    router.apply_calls = 0;
    router.reboot_at_apply = step;
    router.down_for_calls = 3;  // the undo's first read and two more calls find it down
    Box box(found, ctx);
    Deadline patient{std::chrono::seconds(5)};
    auto r = execute(box, plan(), quiet, Patience{&patient, std::chrono::milliseconds(1)});
    EXPECT_EQ(r.outcome, Outcome::rolled_back) << r.failure;
    expect_original();
    EXPECT_EQ(router.down_left, 0);
  }
}

TEST_F(ExecutorTest, WithoutPatienceARebootMidFixLeavesItToRollback) {
  router.reboot_at_apply = 1;
  router.down_for_calls = 3;
  Box box(found, ctx);
  auto r = execute(box, plan(), quiet);
  EXPECT_EQ(r.outcome, Outcome::rollback_failed);
}

TEST_F(ExecutorTest, PatienceEndsWithTheDeadline) {
  router.reboot_at_apply = 1;
  router.down_for_calls = 1000000;  // never back
  Box box(found, ctx);
  // Each look at the deadline between two tries costs 20 ms of a clock the test owns (the
  // executor's own 1 ms pauses are real): the deadline runs out after a known number of tries.
  test::ManualClock clock;
  clock.tick_on_read(std::chrono::milliseconds(20));
  Deadline short_one{std::chrono::milliseconds(300), clock};
  auto r = execute(box, plan(), quiet, Patience{&short_one, std::chrono::milliseconds(1)});
  EXPECT_EQ(r.outcome, Outcome::rollback_failed);
  EXPECT_TRUE(short_one.expired());
  EXPECT_GE(clock.elapsed(), std::chrono::milliseconds(300)) << "gave up before the deadline";
  EXPECT_LE(clock.elapsed(), std::chrono::milliseconds(400)) << "kept trying after the deadline";
}

TEST_F(ExecutorTest, ARefusedRollbackStepTakesBackWhatWasRestored) {
  auto p = plan();
  {
    Box box(found, ctx);
    ASSERT_EQ(execute(box, p, quiet).outcome, Outcome::applied);
  }
  RouterState fixed = router.state;
  router.fail_apply_at = router.apply_calls + 2;  // the third restoring step is refused
  Box box(found, ctx);
  auto r = restore(box, p, quiet);
  EXPECT_EQ(r.outcome, Outcome::rolled_back) << r.failure;
  EXPECT_EQ(router.state.port_forwards.size(), fixed.port_forwards.size());
  ASSERT_TRUE(router.state.dmz);
  EXPECT_EQ(router.state.dmz->enabled, fixed.dmz->enabled);
  router.fail_apply_at = -1;
  Box again(found, ctx);
  EXPECT_EQ(restore(again, p, quiet).outcome, Outcome::applied);
  expect_original();
}

TEST_F(ExecutorTest, RollbackWaitsForARebootingBox) {
  auto p = plan();
  {
    Box box(found, ctx);
    ASSERT_EQ(execute(box, p, quiet).outcome, Outcome::applied);
  }
  router.reboot_at_apply = router.apply_calls + 1;  // the second restoring step
  router.down_for_calls = 2;
  Box box(found, ctx);
  Deadline patient{std::chrono::seconds(5)};
  auto r = restore(box, p, quiet, Patience{&patient, std::chrono::milliseconds(1)});
  EXPECT_EQ(r.outcome, Outcome::applied) << r.failure;
  expect_original();
}

TEST(Planner, RulesManagedByTheIspAreNotDeletedAutomatically) {
  Finding f;
  f.rule = "EXPOSE-SERVICE";
  f.severity = Severity::high;
  f.action = "delete-port-forward";  // as the evaluator says for a forward
  f.subject.kind = SubjectKind::port_forward;
  f.subject.forward = test::forward(Protocol::tcp, 7547, "192.168.1.1");
  f.subject.forward->origin = {"cwmp"};
  Finding g = f;
  g.subject.forward = test::forward(Protocol::tcp, 3389, "192.168.1.10");
  g.subject.forward->origin = {"webui"};
  auto plan = make_plan({f, g}, Severity::high, "192.168.1.1", [](const Action&) { return true; });
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_TRUE(plan[0].automatic);  // the web UI rule first: automatic actions come first
  EXPECT_EQ(plan[0].target.forward->external_port, 3389);
  EXPECT_FALSE(plan[1].automatic);
  EXPECT_NE(plan[1].manual_steps.find("ISP"), std::string::npos);
}

TEST(Planner, AProfileCanHaveManagedRulesDeleted) {
  Finding f;
  f.rule = "EXPOSE-SERVICE";
  f.severity = Severity::high;
  f.action = "delete-port-forward";  // as the evaluator says for a forward
  f.subject.kind = SubjectKind::port_forward;
  f.subject.forward = test::forward(Protocol::tcp, 7547, "192.168.1.1");
  f.subject.forward->origin = {"cwmp_ACS"};
  auto plan = make_plan({f}, Severity::high, "192.168.1.1", [](const Action&) { return true; }, true);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_TRUE(plan[0].automatic);
  EXPECT_TRUE(plan[0].reversible);
  EXPECT_NE(plan[0].summary.find("may put it back"), std::string::npos);
  // A box that cannot delete it still gets a manual step.
  plan = make_plan({f}, Severity::high, "192.168.1.1", [](const Action&) { return false; }, true);
  EXPECT_FALSE(plan[0].automatic);
}

}  // namespace
}  // namespace bw
